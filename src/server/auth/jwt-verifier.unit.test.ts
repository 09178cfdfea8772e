import { exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { createJwtVerifier, InvalidTokenError } from "./jwt-verifier.js";

const ISSUER = "http://localhost:8000";
const T0 = Date.parse("2026-01-01T00:00:00Z");

let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
let jwks: JSONWebKeySet;

beforeAll(async () => {
  const pair = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  privateKey = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: "key-1", alg: "EdDSA" }] };
});

function sign(sub: string, { iat = T0 / 1000, expiresIn = 15 * 60, claims = { sid: "session-1" } as Record<string, unknown> } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", kid: "key-1" })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(ISSUER)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .sign(privateKey);
}

/** A verifier whose clock the test sets, and which counts its key loads. */
function verifier() {
  const state = { now: T0, loads: 0, keys: jwks, revokedSessions: new Set<string>() };
  const instance = createJwtVerifier({
    loadKeys: async () => {
      state.loads++;
      return state.keys;
    },
    issuer: ISSUER,
    audience: ISSUER,
    minRefreshIntervalMs: 0,
    isRevoked: (_userId, sessionId) => state.revokedSessions.has(sessionId),
    clock: () => state.now,
  });
  return { state, verify: instance.verify, refresh: instance.refresh };
}

describe("remembered tokens", () => {
  it("answers a token again without loading keys, until it expires", async () => {
    const { state, verify } = verifier();
    const token = await sign("ada", { expiresIn: 60 });
    expect(await verify(token)).toBe("ada");
    expect(await verify(token)).toBe("ada");
    expect(state.loads).toBe(1);
    state.now = T0 + 59_000;
    expect(await verify(token)).toBe("ada");
    state.now = T0 + 66_000; // past exp and the 5 s clock tolerance
    await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it("stops a remembered token at iat + 15 minutes even when its exp is later", async () => {
    const { state, verify } = verifier();
    const token = await sign("ada", { expiresIn: 3600 });
    expect(await verify(token)).toBe("ada");
    state.now = T0 + 15 * 60_000 + 6_000;
    await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it("does not accept a token that differs from a remembered one only in its signature", async () => {
    const { verify } = verifier();
    const token = await sign("ada");
    expect(await verify(token)).toBe("ada");
    const last = token.at(-2) === "A" ? "B" : "A";
    const forged = `${token.slice(0, -2)}${last}${token.at(-1)}`;
    await expect(verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it("forgets remembered tokens when the keys are reloaded without their key", async () => {
    const { state, verify, refresh } = verifier();
    const token = await sign("ada");
    expect(await verify(token)).toBe("ada");
    state.keys = { keys: [] };
    await refresh();
    await expect(verify(token)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe("revocation", () => {
  it("a token without a session id (sid) is refused: revoking its session could not end it", async () => {
    const { verify } = verifier();
    await expect(verify(await sign("ada", { claims: {} }))).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(await sign("ada", { claims: { sid: 42 } }))).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it("a remembered token is refused as soon as its session is revoked; another session's token is not", async () => {
    const { state, verify } = verifier();
    const revoked = await sign("ada");
    const other = await sign("ada", { claims: { sid: "session-2" } });
    expect(await verify(revoked)).toBe("ada");
    state.revokedSessions.add("session-1");
    await expect(verify(revoked)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(await verify(other)).toBe("ada");
  });
});
