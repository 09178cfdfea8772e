import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { createAuthMiddleware, isAPIError } from "better-auth/api";
import { betterAuth } from "better-auth/minimal";
import { jwt } from "better-auth/plugins/jwt";
import type { FastifyBaseLogger } from "fastify";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../shared/rules.js";
import type { Db } from "../db/database.js";
import * as schema from "../db/schema/index.js";
import type { Limit } from "../http/failure-limiter.js";
import type { Mailer } from "../mail/mailer.js";
import { createAccountRules } from "./account-rules.js";
import { createSignInsPausedError } from "./auth.errors.js";
import { type TokenRevocations, tokenRevocationPlugin } from "./revocation.js";

export const AUTH_BASE_PATH = "/api/auth";
/** Set by our route from the socket (or the trusted proxy), overwriting anything a client sends. */
export const CLIENT_IP_HEADER = "x-ticked-client-ip";

export interface AuthSettings {
  db: Db;
  secret: string;
  publicUrl: string;
  trustedOrigins: string[];
  production: boolean;
  /** Better Auth's per-address limits on sign-in and sign-up; off only for the test suite. */
  rateLimit: boolean;
  log: FastifyBaseLogger;
  /** Where ended sessions and deleted users are recorded, so their bearer tokens stop working. */
  revocations: TokenRevocations;
  /** Failed sign-ins per account (normalised email), whatever address they come from. */
  signInLock: Limit;
  mailer: Mailer;
}

// Better Auth's default, stated here because the mail promises it ("within the hour").
const RESET_LINK_LIFETIME_S = 3600;

/**
 * The account a sign-in names, as Better Auth parsed the request (whatever the path's spelling or
 * the body's format), trimmed and in lower case as Better Auth stores emails.
 */
function signInAccount(ctx: { path?: string; body?: unknown }): string | undefined {
  if (ctx.path !== "/sign-in/email") return undefined;
  const email = (ctx.body as { email?: unknown } | undefined)?.email;
  return typeof email === "string" ? email.trim().toLowerCase() : undefined;
}

export function createAuth({ db, secret, publicUrl, trustedOrigins, production, rateLimit, log, revocations, signInLock, mailer }: AuthSettings) {
  const accountRules = createAccountRules();
  return betterAuth({
    appName: "Ticked",
    baseURL: publicUrl,
    basePath: AUTH_BASE_PATH,
    secret,
    trustedOrigins,
    // In a transaction, a sign-up that fails halfway leaves no user without a password behind.
    database: drizzleAdapter(db, { provider: "pg", schema, transaction: true }),
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: PASSWORD_MIN,
      maxPasswordLength: PASSWORD_MAX,
      // The link opens the web app's page, which posts the token to reset-password. Better Auth's own
      // link (/api/auth/reset-password/TOKEN) would put the token in a logged path and redirect.
      sendResetPassword: async ({ user, token }) =>
        mailer.sendPasswordReset({ to: user.email, name: user.name, link: `${publicUrl}/reset-password?token=${encodeURIComponent(token)}` }),
      resetPasswordTokenExpiresIn: RESET_LINK_LIFETIME_S,
      // Whoever knew the old password (the reason to reset it) is signed out everywhere.
      revokeSessionsOnPasswordReset: true,
    },
    user: { deleteUser: { enabled: true } },
    telemetry: { enabled: false },
    // Per address, in each instance's memory: a guessing budget per account held across instances is
    // signInLock's (in PostgreSQL when the app runs on it); this one only slows one address down.
    rateLimit: { enabled: rateLimit, storage: "memory" },
    hooks: {
      // The attempt is counted before the password is checked, so parallel guesses cannot all pass
      // a check made before any of them failed.
      before: createAuthMiddleware(async (ctx) => {
        const account = signInAccount(ctx);
        if (account !== undefined) {
          const wait = await signInLock.take(account);
          if (wait !== null) throw createSignInsPausedError(wait);
        }
        // Password strength, display names and sign-up timing.
        return accountRules(ctx);
      }),
      // A wrong password keeps its count; a success clears the account's; anything else (a refused
      // body, an unverified email) never reached the password check and gives its count back.
      after: createAuthMiddleware(async (ctx) => {
        const account = signInAccount(ctx);
        if (account === undefined) return;
        const returned = ctx.context.returned;
        if (!isAPIError(returned)) await signInLock.clear(account);
        else if (returned.statusCode !== 401) await signInLock.giveBack(account);
      }),
    },
    advanced: {
      useSecureCookies: production || publicUrl.startsWith("https:"),
      // Better Auth would otherwise trust X-Forwarded-For from anyone for its rate limits.
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
    },
    logger: {
      level: "warn",
      log: (level, message) => log[level === "debug" ? "debug" : level](`better-auth: ${message}`),
    },
    // Crashes (a failed query) leave the handler and reach Fastify's error handler, which logs them
    // without statement values and answers in the envelope; Better Auth's refusals stay its own JSON.
    onAPIError: { throw: true },
    plugins: [
      jwt({
        // Better Auth puts the whole user (email included) in the token by default; ours carries
        // only the standard claims, sub (the user id), iss, aud, iat and exp, and sid, the session
        // it was minted for: ending that session ends the token, and the user's other devices keep theirs.
        jwt: { definePayload: ({ session }) => ({ sid: session.id }), expirationTime: "15m" },
        // Otherwise every get-session call signs a JWT nobody asked for.
        disableSettingJwtHeader: true,
      }),
      tokenRevocationPlugin(revocations),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
