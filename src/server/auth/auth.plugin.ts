import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { JSONWebKeySet } from "jose";
import type { Config } from "../config/config.js";
import { createLimit } from "../http/failure-limiter.js";
import { createMailer } from "../mail/mailer.js";
import { type Auth, createAuth } from "./auth.js";
import { authRoutes } from "./auth.routes.js";
import { type Authenticator, createAuthenticator } from "./authenticator.js";
import { withBetterAuth } from "./better-auth-gate.js";
import { createJwtVerifier } from "./jwt-verifier.js";
import { createTokenRevocations } from "./revocation.js";

// Ten wrong passwords for one account in a quarter of an hour, from any number of addresses, and
// that account's sign-in pauses for the rest of the quarter (its owner too: the price of the limit).
export const SIGN_IN_FAILURES_MAX = 10;
export const SIGN_IN_WINDOW_MS = 15 * 60_000;

declare module "fastify" {
  interface FastifyInstance {
    auth: Auth;
    authenticate: Authenticator;
  }
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The public origin and the configured extra ones. A server whose public URL is on this machine
 * also trusts the other spellings of its loopback address, so a browser on 127.0.0.1 works as
 * well as on localhost; a public deployment does not trust pages served on a visitor's own machine.
 */
export function trustedOriginsOf(config: Pick<Config, "publicUrl" | "port" | "trustedOrigins">): string[] {
  const { hostname, port } = new URL(config.publicUrl);
  const loopback = LOOPBACK_HOSTS.has(hostname) ? [...LOOPBACK_HOSTS].map((host) => `http://${host}${port ? `:${port}` : ""}`) : [];
  return [...new Set([config.publicUrl, ...loopback, ...config.trustedOrigins])];
}

export const authPlugin = fp(
  async (app: FastifyInstance, { config, secret }: { config: Config; secret: string }) => {
    const trustedOrigins = trustedOriginsOf(config);
    const revocations = createTokenRevocations({ db: app.database.db, log: app.log });
    const signInLock = await createLimit(app.database.pool, {
      name: "sign_in_failures",
      points: SIGN_IN_FAILURES_MAX,
      windowMs: SIGN_IN_WINDOW_MS,
    });
    const mailer = createMailer({ smtpUrl: config.smtpUrl, appName: "Ticked", publicUrl: config.publicUrl, log: app.log });
    app.addHook("onClose", mailer.close);
    const auth = createAuth({
      db: app.database.db,
      secret,
      publicUrl: config.publicUrl,
      trustedOrigins,
      production: config.nodeEnv === "production",
      rateLimit: config.nodeEnv !== "test",
      log: app.log,
      revocations,
      signInLock,
      mailer,
    });
    const verifier = createJwtVerifier({
      // The server-side call reads the jwks table directly (creating the first key pair if none exists).
      loadKeys: async () => (await withBetterAuth(() => auth.api.getJwks())) as JSONWebKeySet,
      issuer: config.publicUrl,
      audience: config.publicUrl,
      isRevoked: revocations.isRevoked,
    });
    app.decorate("auth", auth);
    app.decorate("authenticate", createAuthenticator(auth, verifier, trustedOrigins));
    app.addHook("onReady", verifier.refresh);
    app.addHook("onReady", revocations.start);
    app.addHook("onClose", revocations.stop);
    await app.register(authRoutes, {
      auth,
      publicUrl: config.publicUrl,
      databaseAnswers: () =>
        app.database.ping().then(
          () => true,
          () => false,
        ),
      trustedOrigins: new Set(trustedOrigins),
    });
  },
  { name: "auth", dependencies: ["database"] },
);
