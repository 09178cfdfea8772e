import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { betterAuth } from "better-auth/minimal";
import { jwt } from "better-auth/plugins/jwt";
import type { FastifyBaseLogger } from "fastify";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../shared/rules.js";
import type { Db } from "../db/database.js";
import * as schema from "../db/schema/index.js";
import type { Mailer } from "../mail/mailer.js";

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
  mailer: Mailer;
}

// Better Auth's default, stated here because the mail promises it ("within the hour").
const RESET_LINK_LIFETIME_S = 3600;

export function createAuth({ db, secret, publicUrl, trustedOrigins, production, rateLimit, log, mailer }: AuthSettings) {
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
    rateLimit: { enabled: rateLimit, storage: "memory" },
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
        // only the standard claims: sub (the user id), iss, aud, iat and exp.
        jwt: { definePayload: () => ({}), expirationTime: "15m" },
        // Otherwise every get-session call signs a JWT nobody asked for.
        disableSettingJwtHeader: true,
      }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
