import underPressure from "@fastify/under-pressure";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "../http/envelope.js";

export interface OverloadOptions {
  /** Mean event-loop delay, sampled each second, above which requests are shed; 0 turns shedding off. */
  maxEventLoopDelayMs: number;
}

const RETRY_AFTER_SECONDS = "2";
// Liveness answers while the process is up, busy or not: a supervisor that restarted every busy
// instance would turn a load peak into an outage. Readiness is shed like the API, which takes a
// saturated instance out of a load balancer's rotation until it has caught up.
const NEVER_SHED = new Set(["/healthz"]);

/**
 * Sheds load with a quick 503 and Retry-After when the event loop lags, so an overloaded instance
 * keeps answering the requests it accepts instead of letting every request time out.
 */
export const overloadPlugin = fp(
  async (app: FastifyInstance, { maxEventLoopDelayMs }: OverloadOptions) => {
    if (maxEventLoopDelayMs === 0) return;
    await app.register(underPressure, {
      maxEventLoopDelay: maxEventLoopDelayMs,
      exposeStatusRoute: false,
      pressureHandler: async (request) => {
        if (NEVER_SHED.has(request.routeOptions.url ?? "")) return;
        throw new ApiError("SERVICE_UNAVAILABLE", "the server is overloaded; try again shortly", undefined, {
          "retry-after": RETRY_AFTER_SECONDS,
        });
      },
    });
  },
  { name: "overload", dependencies: ["errors"] },
);
