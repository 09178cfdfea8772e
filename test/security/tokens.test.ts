import { createHmac, randomUUID } from "node:crypto";
import { base64url, exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, TEST_SECRET, type TestApp } from "../app.js";
import { signUp, type TestUser } from "../users.js";
import { deleteAccount, expectEnvelope, nowSeconds, signWithServerKey } from "./actors.js";

/** Forged, stale and misdirected bearer tokens (OWASP API2): every one a 401 in the envelope, none a 500. */
let t: TestApp;
let victim: TestUser;
let publishedKey: { kid: string; x: string; kty: string; crv: string };
/** The session the victim signed up with: a token names it (sid), so ending it ends the token. */
let victimSessionId: string;

beforeAll(async () => {
  t = await buildTestApp();
  victim = await signUp(t.app, "Victim");
  const session = await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: victim.cookie } });
  victimSessionId = session.json<{ session: { id: string } }>().session.id;
  const jwks = await t.app.inject({ method: "GET", url: "/api/auth/jwks" });
  publishedKey = jwks.json<{ keys: (typeof publishedKey)[] }>().keys[0]!;
});
afterAll(() => t.close());

const segment = (value: unknown) => base64url.encode(new TextEncoder().encode(JSON.stringify(value)));

const standardClaims = () => ({
  sub: victim.id,
  sid: victimSessionId,
  iss: TEST_ORIGIN,
  aud: TEST_ORIGIN,
  iat: nowSeconds(),
  exp: nowSeconds() + 600,
});

function hs256(header: Record<string, unknown>, payload: Record<string, unknown>, key: Buffer | string): string {
  const signingInput = `${segment(header)}.${segment(payload)}`;
  return `${signingInput}.${base64url.encode(createHmac("sha256", key).update(signingInput).digest())}`;
}

async function foreignKeyToken(header: Record<string, unknown>, claims = standardClaims()) {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const jwk = await exportJWK(publicKey);
  return new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", ...(header.jwk === true ? { ...header, jwk } : header) }).sign(privateKey);
}

/** Each bad token, on a read and on a write: 401 UNAUTHORIZED, the token not echoed back. */
async function expectRefused(token: string, label: string) {
  for (const request of [
    { method: "GET" as const, url: victim.tasksUrl },
    { method: "POST" as const, url: victim.tasksUrl, payload: { title: "Planted by a forged token" } },
  ]) {
    const response = await t.app.inject({ ...request, headers: { authorization: `Bearer ${token}` } });
    expectEnvelope(response, 401, "UNAUTHORIZED", `${label}: ${request.method}`);
    expect(response.body).not.toContain(token);
  }
}

describe("bearer tokens", () => {
  it("the control: a token with the standard claims, signed by the server's key, is accepted", async () => {
    const token = await signWithServerKey(t.app, standardClaims());
    const response = await t.app.inject({ method: "GET", url: victim.tasksUrl, headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(200);
  });

  it("alg none (unsigned), with and without the published kid, is a 401", async () => {
    for (const header of [{ alg: "none" }, { alg: "none", kid: publishedKey.kid }, { alg: "None", kid: publishedKey.kid }]) {
      await expectRefused(`${segment(header)}.${segment(standardClaims())}.`, `alg ${header.alg}`);
    }
  });

  it("HS256 keyed with the published public key (algorithm confusion) is a 401, whatever form of the key", async () => {
    const header = { alg: "HS256", kid: publishedKey.kid, typ: "JWT" };
    const keys: [string, Buffer | string][] = [
      ["raw public key bytes", Buffer.from(publishedKey.x, "base64url")],
      ["the x member as text", publishedKey.x],
      ["the JWK as JSON", JSON.stringify(publishedKey)],
    ];
    for (const [name, key] of keys) await expectRefused(hs256(header, standardClaims(), key), `HS256 with ${name}`);
  });

  it("HS256 keyed with the server's own BETTER_AUTH_SECRET is a 401", async () => {
    await expectRefused(hs256({ alg: "HS256", kid: publishedKey.kid, typ: "JWT" }, standardClaims(), TEST_SECRET), "HS256 with the secret");
  });

  it("a token signed by an unknown key, under an unknown kid, the published kid, or carrying its own key (jwk header), is a 401", async () => {
    await expectRefused(await foreignKeyToken({ kid: randomUUID() }), "unknown kid");
    await expectRefused(await foreignKeyToken({ kid: publishedKey.kid }), "foreign key under the published kid");
    await expectRefused(await foreignKeyToken({ kid: publishedKey.kid, jwk: true }), "embedded jwk");
    await expectRefused(await foreignKeyToken({ kid: "../../../etc/passwd' OR '1'='1" }), "kid with path and SQL");
    const expired = { ...standardClaims(), iat: nowSeconds() - 3600, exp: nowSeconds() - 1800 };
    await expectRefused(await foreignKeyToken({ kid: randomUUID() }, expired), "expired, unknown kid");
  });

  it("a tampered payload (another subject, a later expiry) under the original signature is a 401", async () => {
    const other = await signUp(t.app, "Other");
    const [header, payload, signature] = other.token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    await expectRefused(`${header}.${segment({ ...claims, sub: victim.id })}.${signature}`, "sub swapped");
    const [ownHeader, ownPayload, ownSignature] = victim.token.split(".");
    const own = JSON.parse(Buffer.from(ownPayload!, "base64url").toString());
    const tampered = `${ownHeader}.${segment({ ...own, exp: own.exp + 86_400 })}.${ownSignature}`;
    await expectRefused(tampered, "exp extended");
  });

  it("a token that differs from an accepted one only in its signature is a 401, also once the real one was verified", async () => {
    const accepted = await t.app.inject({ method: "GET", url: victim.tasksUrl, headers: victim.bearer });
    expect(accepted.statusCode).toBe(200);
    const [header, payload, signature] = victim.token.split(".");
    const flipped = Buffer.from(signature!, "base64url");
    flipped[0]! ^= 0xff;
    await expectRefused(`${header}.${payload}.${flipped.toString("base64url")}`, "signature changed");
  });

  it("a bad bearer token is a 401 even with the user's valid session cookie alongside", async () => {
    const response = await t.app.inject({ method: "GET", url: victim.tasksUrl, headers: { authorization: "Bearer garbage", cookie: victim.cookie } });
    expectEnvelope(response, 401, "UNAUTHORIZED");
  });

  it("expired, not yet valid (nbf in the future) and issued in the future are 401, even signed by the server's key", async () => {
    const now = nowSeconds();
    const claims: [string, Record<string, unknown>][] = [
      ["expired", { ...standardClaims(), iat: now - 3600, exp: now - 60 }],
      ["nbf in an hour", { ...standardClaims(), nbf: now + 3600 }],
      ["iat in an hour", { ...standardClaims(), iat: now + 3600, exp: now + 4200 }],
      ["older than 15 minutes though not expired", { ...standardClaims(), iat: now - 3600, exp: now + 3600 }],
    ];
    for (const [name, payload] of claims) await expectRefused(await signWithServerKey(t.app, payload), name);
  });

  it("a wrong issuer or audience, even signed by the server's key, is a 401", async () => {
    for (const [name, payload] of [
      ["issuer", { ...standardClaims(), iss: "https://evil.example" }],
      ["audience", { ...standardClaims(), aud: "https://evil.example" }],
      ["audience list without ours", { ...standardClaims(), aud: ["https://evil.example"] }],
      ["no subject", { ...standardClaims(), sub: undefined }],
      ["no session id", { ...standardClaims(), sid: undefined }],
    ] as const) {
      await expectRefused(await signWithServerKey(t.app, payload), name);
    }
  });

  it("a token minted before its user was deleted is a 401, also after a new account takes the same email", { timeout: 60_000 }, async () => {
    const leaver = await signUp(t.app, "Leaver");
    await deleteAccount(t.app, leaver);
    const comeback = await t.app.inject({
      method: "POST",
      url: "/api/auth/sign-up/email",
      headers: { origin: TEST_ORIGIN },
      payload: { name: "Comeback", email: leaver.email, password: leaver.password },
    });
    expect(comeback.statusCode).toBe(200);
    for (const request of [
      { method: "GET" as const, url: leaver.tasksUrl },
      { method: "POST" as const, url: leaver.tasksUrl, payload: { title: "Back from the dead" } },
    ]) {
      const response = await t.app.inject({ ...request, headers: leaver.bearer });
      expectEnvelope(response, 401, "UNAUTHORIZED", request.method);
    }
  });

  it("malformed tokens (garbage, two parts, bad base64, huge) are 401", async () => {
    const unsignedHeader = `${segment({ alg: "EdDSA" })}.${segment({ sub: "x" })}.`;
    for (const token of [
      "not-a-token-at-all",
      "a.b.c",
      "....",
      "%00%ff",
      "header.payload",
      "header.payload.signature",
      unsignedHeader,
      `${segment({ alg: "EdDSA" })}.!!!.???`,
      "e".repeat(8000),
    ]) {
      await expectRefused(token, token.slice(0, 20));
    }
  });
});
