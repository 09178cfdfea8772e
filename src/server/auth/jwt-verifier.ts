import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from "jose";
import { LRUCache } from "lru-cache";

export interface JwtVerifierSettings {
  /** Reads the published public keys (the JWKS) from their source of truth. */
  loadKeys: () => Promise<JSONWebKeySet>;
  issuer: string;
  audience: string;
  /** Unknown key ids reload the keys at most this often, so junk tokens cannot flood the database. */
  minRefreshIntervalMs?: number;
  /** Keys older than this are reloaded in the background, so a key removed from the JWKS stops working. */
  maxKeyAgeMs?: number;
  /** No token is accepted longer after its iat than this, whatever its exp says. */
  maxTokenAge?: string;
  /** Tokens remembered as verified (the least recently used forgotten first). */
  maxCachedTokens?: number;
  /** Whether a token of this user and session (sub, sid) was revoked before it expired; asked on every verify. */
  isRevoked?: (userId: string, sessionId: string) => boolean;
  /** Milliseconds since the epoch; tests move it. */
  clock?: () => number;
}

interface VerifiedToken {
  sub: string;
  sid: string;
}

export class InvalidTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "InvalidTokenError";
  }
}

/**
 * Verifies Better Auth's JWTs locally against public keys held in memory: no database or HTTP
 * round trip per request, so any number of instances verify on their own. A token signed with a
 * key this instance has not seen yet (created or rotated by another instance) triggers a reload.
 */
export function createJwtVerifier({
  loadKeys,
  issuer,
  audience,
  minRefreshIntervalMs = 1_000,
  maxKeyAgeMs = 5 * 60_000,
  maxTokenAge = "15m",
  maxCachedTokens = 10_000,
  isRevoked = () => false,
  clock = Date.now,
}: JwtVerifierSettings) {
  // A client sends the same token for its whole life (15 minutes), and checking its EdDSA signature
  // was the largest single cost of a task request (docs/performance.md). A token verified once is
  // remembered, keyed by its exact text, until the earlier of its exp and iat + maxTokenAge; a key
  // reload forgets them all, so a key removed from the JWKS stops its tokens as before.
  const verified = new LRUCache<string, VerifiedToken>({ max: maxCachedTokens, ttlResolution: 0, perf: { now: clock } });
  const maxTokenAgeMs = parseDuration(maxTokenAge);
  let keyIds = new Set<string>();
  let keySet = createLocalJWKSet({ keys: [] });
  let lastRefresh = 0;
  let refreshing: Promise<void> | undefined;

  async function reload() {
    const wait = lastRefresh + minRefreshIntervalMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      const jwks = await loadKeys();
      keyIds = new Set(jwks.keys.map((key) => key.kid).filter((kid): kid is string => typeof kid === "string"));
      keySet = createLocalJWKSet(jwks);
      verified.clear();
    } finally {
      lastRefresh = Date.now();
    }
  }

  function refresh(): Promise<void> {
    refreshing ??= reload().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  function remember(token: string, claims: VerifiedToken, exp: number, iat: number, now: number) {
    const ttl = Math.min(exp * 1000, iat * 1000 + maxTokenAgeMs) - now;
    if (ttl > 0) verified.set(token, claims, { ttl });
  }

  /** The user id of a token that is not revoked. */
  function userOf({ sub, sid }: VerifiedToken): string {
    if (isRevoked(sub, sid)) throw new InvalidTokenError("token revoked");
    return sub;
  }

  async function verify(token: string): Promise<string> {
    const now = clock();
    const known = verified.get(token);
    if (known !== undefined) {
      if (Date.now() - lastRefresh > maxKeyAgeMs) void refresh().catch(() => {}); // as below
      return userOf(known);
    }
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new InvalidTokenError("malformed token");
    }
    if (!kid) throw new InvalidTokenError("token has no key id");
    if (!keyIds.has(kid)) await refresh();
    else if (Date.now() - lastRefresh > maxKeyAgeMs) void refresh().catch(() => {}); // the next request retries
    let claims: VerifiedToken;
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer,
        audience,
        algorithms: ["EdDSA"],
        // sid, the session the token was minted for, is what revoking that session ends.
        requiredClaims: ["sub", "exp", "iat", "sid"],
        maxTokenAge,
        clockTolerance: 5,
        currentDate: new Date(now),
      });
      if (typeof payload.sid !== "string") throw new Error("sid is not a string");
      claims = { sub: payload.sub!, sid: payload.sid };
      remember(token, claims, payload.exp!, payload.iat!, now);
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
    return userOf(claims);
  }

  return { verify, refresh };
}

/** "15m", "30s", "2h" in milliseconds (the forms maxTokenAge is given in here). */
function parseDuration(duration: string): number {
  const match = /^(\d+)(s|m|h)$/.exec(duration);
  if (!match) throw new Error(`unsupported duration "${duration}"`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"];
}

export type JwtVerifier = ReturnType<typeof createJwtVerifier>;
