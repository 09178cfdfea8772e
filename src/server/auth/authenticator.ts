import { fromNodeHeaders } from "better-auth/node";
import type { FastifyRequest } from "fastify";
import {
  createMalformedAuthorizationError,
  createNoCredentialsError,
  createSessionRefusedError,
  createTokenRefusedError,
  createUntrustedOriginError,
} from "./auth.errors.js";
import type { Auth } from "./auth.js";
import { withBetterAuth } from "./better-auth-gate.js";
import { InvalidTokenError, type JwtVerifier } from "./jwt-verifier.js";

export interface Principal {
  userId: string;
  via: "bearer" | "cookie";
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?better-auth\.session_token=/;

function requestOrigin(request: FastifyRequest): string | undefined {
  const origin = request.headers.origin;
  if (origin && origin !== "null") return origin;
  const referer = request.headers.referer;
  if (!referer) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return undefined;
  }
}

/** A request that carries the session cookie and writes must come from a trusted origin. */
export function cookieWriteAllowed(request: FastifyRequest, trusted: ReadonlySet<string>): boolean {
  if (SAFE_METHODS.has(request.method) || !request.headers.cookie || !SESSION_COOKIE.test(request.headers.cookie)) return true;
  const origin = requestOrigin(request);
  return origin !== undefined && trusted.has(origin);
}

/**
 * Who is calling: a bearer JWT (any HTTP client; verified locally) or Better Auth's session cookie
 * (the web app). A cookie rides along on cross-site requests, so cookie-authenticated writes must
 * also come from a trusted Origin.
 */
export function createAuthenticator(auth: Auth, verifier: JwtVerifier, trustedOrigins: readonly string[]) {
  const trusted = new Set(trustedOrigins);

  return async function authenticate(request: FastifyRequest): Promise<Principal> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const [scheme, token, extra] = authorization.trim().split(/\s+/);
      if (scheme?.toLowerCase() !== "bearer" || !token || extra !== undefined) {
        throw createMalformedAuthorizationError();
      }
      try {
        return { userId: await verifier.verify(token), via: "bearer" };
      } catch (error) {
        if (error instanceof InvalidTokenError) throw createTokenRefusedError();
        throw error;
      }
    }

    if (request.headers.cookie && SESSION_COOKIE.test(request.headers.cookie)) {
      const session = await withBetterAuth(() => auth.api.getSession({ headers: fromNodeHeaders(request.headers) }));
      if (!session) throw createSessionRefusedError();
      if (!cookieWriteAllowed(request, trusted)) throw createUntrustedOriginError();
      return { userId: session.user.id, via: "cookie" };
    }

    throw createNoCredentialsError();
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
