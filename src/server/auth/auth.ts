import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { isAPIError } from "better-auth/api";
import { jwt } from "better-auth/plugins";
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/database.js";
import { sqlState } from "../db/errors.js";
import * as schema from "../db/schema/index.js";

export const AUTH_BASE_PATH = "/api/auth";
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export interface AuthSettings {
  db: Db;
  secret: string;
  publicUrl: string;
  trustedOrigins: string[];
  production: boolean;
  log: FastifyBaseLogger;
}

export function createAuth({ db, secret, publicUrl, trustedOrigins, production, log }: AuthSettings) {
  return betterAuth({
    appName: "Ticked",
    baseURL: publicUrl,
    basePath: AUTH_BASE_PATH,
    secret,
    trustedOrigins,
    database: drizzleAdapter(db, { provider: "pg", schema }),
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
    },
    user: { deleteUser: { enabled: true } },
    telemetry: { enabled: false },
    advanced: { useSecureCookies: production || publicUrl.startsWith("https:") },
    logger: {
      level: "warn",
      log: (level, message) => log[level === "debug" ? "debug" : level](`better-auth: ${message}`),
    },
    onAPIError: {
      // Instead of Better Auth's console output, which prints whole failed queries (emails
      // included): the error's kind and SQLSTATE go to our log, without the statement's values.
      onError: (error) => {
        if (isAPIError(error) && Number(error.statusCode) < 500) return;
        const cause = (error as { cause?: { message?: string } }).cause;
        log.error({ sqlState: sqlState(error), cause: cause?.message }, `better-auth: ${(error as Error).name ?? "error"}`);
      },
    },
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
