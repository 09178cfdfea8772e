import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import cors from "@fastify/cors";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyBaseLogger, type FastifyRequest, LogController } from "fastify";
import { authPlugin } from "./auth/auth.plugin.js";
import { userGuard } from "./auth/user-guard.js";
import type { Config } from "./config/config.js";
import type { Database } from "./db/database.js";
import { healthRoutes } from "./health/health.routes.js";
import { answerClientError } from "./http/connection-errors.js";
import { ApiError, BODY_LIMIT, ErrorEnvelope } from "./http/envelope.js";
import { securityHeaders } from "./http/security-headers.js";
import { createValidatorCompiler } from "./http/validation.js";
import { compressionPlugin } from "./plugins/compression.js";
import { databasePlugin } from "./plugins/database.js";
import { errorsPlugin, sendError } from "./plugins/errors.js";
import { notFoundPlugin } from "./plugins/not-found.js";
import { openapiPlugin, openapiRoutes } from "./plugins/openapi.js";
import { overloadPlugin } from "./plugins/overload.js";
import { createCursorCodec } from "./tasks/cursor.js";
import { tasksRoutes } from "./tasks/tasks.routes.js";
import { webPlugin } from "./web/web.plugin.js";

const REQUEST_ID = /^[\w.:-]{1,128}$/;
const REQUEST_TIMEOUT_MS = 30_000;
// A client that dribbles its headers (slowloris) is cut after this long; Node checks every second.
const HEADERS_TIMEOUT_MS = 10_000;
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

export interface AppDependencies {
  database: Database;
  /** BETTER_AUTH_SECRET, or the one generated into DATA_DIR. */
  secret: string;
  logger: FastifyBaseLogger;
}

/** A caller's x-request-id is kept when it is tame, so one id follows a request across services. */
function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
}

const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

export async function buildApp(config: Config, { database, secret, logger }: AppDependencies) {
  const app = Fastify({
    loggerInstance: logger,
    genReqId: requestId,
    requestIdHeader: false,
    // One line per request, written when it is answered (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // Fastify's own 503 while closing is not in the contract's envelope; requests that still reach
    // a closing server (on kept-alive connections) are served instead, and the database closes last.
    return503OnClosing: false,
    // A client that stops sending halfway cannot hold a connection (or a shutdown) open for long.
    requestTimeout: REQUEST_TIMEOUT_MS,
    http: { headersTimeout: HEADERS_TIMEOUT_MS, connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS },
    routerOptions: { ignoreTrailingSlash: true },
    // request.ip, the address every limit and Better Auth key on, is X-Forwarded-For's only from trusted hops.
    // A hop count as the function Fastify makes of one (its types omit the number form).
    trustProxy: typeof config.trustProxy === "number" ? trustHops(config.trustProxy) : config.trustProxy,
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) => {
      reply.header("x-request-id", request.id);
      void sendError(reply, new ApiError("BAD_REQUEST", error.code === "FST_ERR_BAD_URL" ? "the URL is malformed" : error.message));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(createValidatorCompiler());
  app.addSchema(ErrorEnvelope);

  // Only JSON is accepted (Fastify also parses text/plain by default): anything else is a 415. An
  // empty JSON body is "no body" (the completion toggle takes none); anything else must parse, and
  // a __proto__ or constructor key is refused rather than risked.
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request: FastifyRequest, body, done) => {
    if (body === "") return done(null, undefined);
    parseJson(request, body as string, done);
  });

  const servedOverHttps = config.publicUrl.startsWith("https:");
  const headers = securityHeaders(servedOverHttps);
  app.addHook("onRequest", (request, reply, done) => {
    reply.headers(request.url.startsWith("/api/") ? headers.api : headers.document).header("x-request-id", request.id);
    done();
  });

  // Logging was a tenth of the server's allocations under load (docs/performance.md); the request
  // and its outcome share one line.
  app.addHook("onResponse", (request, reply, done) => {
    request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, "request completed");
    done();
  });

  // Closing waits for open connections. Idle ones are closed at once; a kept-alive one that is
  // still answering gets "Connection: close" so it ends with its response instead of lingering.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", (request, reply, payload, done) => {
    // Every answer under /api/ is private to its caller, errors included: no browser or proxy may
    // keep one. Set on sending, after Better Auth's own headers are copied (auth.routes.ts).
    if (request.url.startsWith("/api/")) reply.header("cache-control", "no-store");
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });

  await app.register(errorsPlugin);
  await app.register(notFoundPlugin);
  await app.register(overloadPlugin, { maxEventLoopDelayMs: config.overloadMaxEventLoopDelayMs });
  await app.register(compressionPlugin);
  // Closed unless configured: without CORS headers a browser keeps other sites' pages from reading answers.
  if (config.corsOrigins.length > 0) await app.register(cors, { origin: config.corsOrigins, credentials: true });
  await app.register(openapiPlugin, { version, publicUrl: config.publicUrl });
  await app.register(databasePlugin, { database });
  await app.register(authPlugin, { config, secret });
  await app.register(healthRoutes);
  // Everything under /api/{user_id}/ is the signed-in user's own: one guard for all of it.
  await app.register(async (userApi) => {
    await userApi.register(userGuard, { rateLimitPerMinute: config.rateLimitPerMinute });
    await userApi.register(tasksRoutes, { cursors: createCursorCodec(secret), tasksPerUserMax: config.tasksPerUserMax });
  });
  await app.register(openapiRoutes);
  await app.register(webPlugin, { root: config.webDir, servedOverHttps });
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
