import { ApiError, createErrorFactory } from "../http/envelope.js";

export const createMalformedAuthorizationError = createErrorFactory("UNAUTHORIZED", "the Authorization header must be: Bearer <token>");

export const createTokenRefusedError = createErrorFactory("UNAUTHORIZED", "the token is invalid or expired; get a new one from /api/auth/token");

export const createSessionRefusedError = createErrorFactory("UNAUTHORIZED", "the session is invalid or expired; sign in again");

export const createNoCredentialsError = createErrorFactory("UNAUTHORIZED", "sign in, or send Authorization: Bearer <token> from /api/auth/token");

// A bearer token stays valid for minutes after its account is deleted; the database knows better.
export const createAccountGoneError = createErrorFactory("UNAUTHORIZED", "this account no longer exists");

export const createUntrustedOriginError = createErrorFactory("FORBIDDEN", "cookie-authenticated writes must come from the app's own origin");

export const createNotYourPathError = createErrorFactory("FORBIDDEN", "the user_id in the path is not the signed-in user");

export const createAccountRouteNotFoundError = createErrorFactory("NOT_FOUND", "no such account route");

export const createRateLimitedError = (seconds: number) =>
  new ApiError("RATE_LIMITED", `too many requests; retry in ${seconds} s`, undefined, { "retry-after": String(seconds) });

export const createSignInsPausedError = (seconds: number) =>
  new ApiError("RATE_LIMITED", `too many failed sign-ins for this account; retry in ${seconds} s`, undefined, {
    "retry-after": String(seconds),
  });
