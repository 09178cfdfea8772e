import { eq } from "drizzle-orm";
import type { FastifyError, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { sqlState } from "../db/errors.js";
import { user } from "../db/schema/index.js";
import { ApiError } from "../http/envelope.js";
import { addressKey, createBatchedLimit, createLimit } from "../http/failure-limiter.js";
import { createAccountGoneError, createNotYourPathError, createRateLimitedError } from "./auth.errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated owner of every resource this request touches: the path's {user_id}. */
    userId: string;
  }
  interface FastifyContextConfig {
    /** The route only answers 405 (plugins/not-found.ts): no credentials are asked for that. */
    refusesMethod?: boolean;
  }
}

/** How often each instance adds its per-user request counts to the shared store (PostgreSQL). */
export const USER_REQUESTS_SYNC_MS = 1_000;

export interface UserGuardOptions {
  rateLimitPerMinute: number;
}

/** An answer about nothing: an empty list, or counts that are all zero. */
function foundNothing(payload: unknown): boolean {
  const data = (payload as { data?: unknown } | null)?.data;
  if (Array.isArray(data)) return data.length === 0;
  return typeof data === "object" && data !== null && Object.values(data).every((value) => value === 0);
}

/**
 * Guards every route of the scope it is registered in, all of /api/{user_id}/...: the caller's
 * credentials, that {user_id} is the caller, the per-user rate limit, and that the account still
 * exists. Route files then hold routes only.
 */
export const userGuard = fp(
  async (app: FastifyInstance, { rateLimitPerMinute }: UserGuardOptions) => {
    app.decorateRequest("userId", "");

    // Requests without valid credentials have no user to count against; each costs a token check or
    // a session lookup, so an address that keeps failing waits, with the per-user limit as its budget.
    const authFailures = await createLimit(app.database.pool, { name: "auth_failures", points: rateLimitPerMinute, windowMs: 60_000 });
    // Every task request counts here: decided in memory, shared through the store each second.
    const userRequests = await createBatchedLimit(app.database.pool, {
      name: "user_requests",
      points: rateLimitPerMinute,
      windowMs: 60_000,
      syncMs: USER_REQUESTS_SYNC_MS,
    });
    app.addHook("onClose", async () => userRequests.close());

    // Before body parsing and validation: who may ask comes before whether the question is well formed.
    app.addHook("onRequest", async (request) => {
      if (request.routeOptions.config.refusesMethod) return;
      const address = addressKey(request.ip);
      const waitForAddress = authFailures.blockedFor(address);
      if (waitForAddress !== null) throw createRateLimitedError(waitForAddress);
      const principal = await app.authenticate(request).catch(async (error: unknown) => {
        if (!(error instanceof ApiError && error.code === "UNAUTHORIZED")) throw error;
        const wait = await authFailures.take(address);
        throw wait === null ? error : createRateLimitedError(wait);
      });
      // Counted before the path is checked: asking for another user's resources costs the caller
      // as any request does, so probing them is no cheaper than using one's own.
      const wait = await userRequests.take(principal.userId);
      if (wait !== null) throw createRateLimitedError(wait);
      if ((request.params as { user_id?: string }).user_id !== principal.userId) throw createNotYourPathError();
      request.userId = principal.userId;
    });

    // A bearer token stays valid for minutes after its account is deleted. Asking the database on
    // every request would cost a query each; an answer that found something proves the owner is
    // there, so only answers that found nothing ask.
    const userExists = async (userId: string) => (await app.database.db.select({ id: user.id }).from(user).where(eq(user.id, userId))).length > 0;

    // A callback, not an async function: most answers found something and pass straight through.
    app.addHook("preSerialization", (request, _reply, payload, done) => {
      if (!request.userId || !foundNothing(payload)) return done(null, payload);
      userExists(request.userId).then(
        (exists) => (exists ? done(null, payload) : done(createAccountGoneError())),
        (error: Error) => done(error),
      );
    });

    // What this handler throws reaches the app's error handler (plugins/errors.ts), which answers it.
    app.setErrorHandler(async (error: FastifyError, request) => {
      // The owner row is gone: a deleted account's write broke the foreign key to it.
      if (sqlState(error) === "23503") throw createAccountGoneError();
      // Another user's resource and a missing one look the same (404), unless the user is gone.
      const notFound = error instanceof ApiError && error.code === "NOT_FOUND";
      if (notFound && request.userId && !(await userExists(request.userId))) throw createAccountGoneError();
      throw error;
    });
  },
  { name: "user-guard", dependencies: ["auth", "database"] },
);
