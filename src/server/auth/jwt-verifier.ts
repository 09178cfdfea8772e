import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from "jose";

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
}: JwtVerifierSettings) {
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

  async function verify(token: string): Promise<string> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new InvalidTokenError("malformed token");
    }
    if (!kid) throw new InvalidTokenError("token has no key id");
    if (!keyIds.has(kid)) await refresh();
    else if (Date.now() - lastRefresh > maxKeyAgeMs) void refresh().catch(() => {}); // the next request retries
    try {
      const { payload } = await jwtVerify(token, keySet, {
        issuer,
        audience,
        algorithms: ["EdDSA"],
        requiredClaims: ["sub", "exp", "iat"],
        maxTokenAge,
        clockTolerance: 5,
      });
      return payload.sub!;
    } catch (error) {
      throw new InvalidTokenError((error as Error).message);
    }
  }

  return { verify, refresh };
}

export type JwtVerifier = ReturnType<typeof createJwtVerifier>;
