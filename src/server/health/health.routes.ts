import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "typebox";
import { ApiError, dataEnvelope } from "../http/envelope.js";

const READY_TIMEOUT_MS = 2_000;
const Status = dataEnvelope(Type.Object({ status: Type.String() }));

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
    { schema: { tags: ["service"], summary: "Liveness: 200 while the process is up", response: { 200: Status } } },
    async () => ({ success: true as const, data: { status: "ok" }, message: "Up" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["service"],
        summary: "Readiness: 200 when the database answers, 503 when it does not",
        response: { 200: Status, 503: { $ref: "ErrorEnvelope#", description: "The database is not answering." } },
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
