import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ApiError, dataEnvelope } from "../http/envelope.js";

const READY_TIMEOUT_MS = 2_000;
const Status = dataEnvelope(Type.Object({ status: Type.String() }));
const crashed = { $ref: "ErrorEnvelope#", description: "Something unexpected; the log holds the details under the x-request-id." };

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/healthz",
    {
      schema: {
        operationId: "getLiveness",
        tags: ["service"],
        summary: "Liveness: 200 while the process is up",
        description:
          "Answers without touching the database, and is never shed under load: a supervisor restarting busy instances would turn a load peak into an outage.",
        security: [],
        response: { 200: Status, 500: crashed },
      },
    },
    async () => ({ success: true as const, data: { status: "ok" }, message: "Up" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        operationId: "getReadiness",
        tags: ["service"],
        summary: "Readiness: 200 when the database answers, 503 when it does not",
        description: `Asks the database, waiting at most ${READY_TIMEOUT_MS / 1000} s. Also 503 while the instance is overloaded, which takes it out of a load balancer's rotation until it has caught up.`,
        security: [],
        response: {
          200: Status,
          500: crashed,
          503: {
            $ref: "ErrorEnvelope#",
            description: "The database is not answering, or the instance is overloaded; retry after the Retry-After header's seconds.",
            headers: { "retry-after": { type: "integer", description: "Seconds to wait before trying again." } },
          },
        },
      },
    },
    async (request) => {
      try {
        await withTimeout(app.database.ping(), READY_TIMEOUT_MS);
      } catch (error) {
        request.log.warn({ err: error }, "readiness check failed");
        throw new ApiError("SERVICE_UNAVAILABLE", "the database is not answering", undefined, { "retry-after": "5" });
      }
      return { success: true as const, data: { status: "ready" }, message: "Ready" };
    },
  );
};
