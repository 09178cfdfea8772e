import { fromNodeHeaders } from "better-auth/node";
import type { FastifyInstance } from "fastify";
import { ApiError } from "../http/envelope.js";
import { AUTH_BASE_PATH, type Auth } from "./auth.js";

const BODY_LIMIT = 64 * 1024;

export interface AuthRoutesOptions {
  auth: Auth;
  publicUrl: string;
  databaseAnswers: () => Promise<boolean>;
}

/**
 * Better Auth answers its own errors as JSON, except a crash (500 with a "null" body) and an
 * unknown path (404 with no JSON). Those two get the contract's envelope: never an empty body,
 * and a 503 when the crash was the database being away.
 */
async function envelopeFor(status: number, databaseAnswers: () => Promise<boolean>): Promise<ApiError> {
  if (status === 404) return new ApiError("NOT_FOUND", "no such account route");
  if (status >= 500 && !(await databaseAnswers())) {
    return new ApiError("SERVICE_UNAVAILABLE", "the database is unavailable; try again shortly", undefined, { "retry-after": "5" });
  }
  return new ApiError("INTERNAL_ERROR", "something went wrong on our side; the request id identifies it in the log");
}

/**
 * Better Auth's handler speaks Fetch Request/Response and parses bodies itself. Fastify's parsers
 * would refuse an empty JSON body (sign-out) and form posts, so this plugin hands over raw bytes.
 */
export async function authRoutes(app: FastifyInstance, { auth, publicUrl, databaseAnswers }: AuthRoutesOptions) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.route({
    method: ["GET", "POST"],
    url: `${AUTH_BASE_PATH}/*`,
    schema: { hide: true },
    handler: async (request, reply) => {
      const body = request.body as Buffer | undefined;
      const response = await auth.handler(
        new Request(new URL(request.url, publicUrl), {
          method: request.method,
          headers: fromNodeHeaders(request.headers),
          body: body && body.length > 0 ? new Uint8Array(body) : undefined,
        }),
      );
      const payload = Buffer.from(await response.arrayBuffer());
      const isJson = response.headers.get("content-type")?.includes("application/json") ?? false;
      if (response.status >= 400 && (!isJson || payload.length === 0 || payload.toString() === "null")) {
        throw await envelopeFor(response.status, databaseAnswers);
      }
      reply.status(response.status);
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie") reply.header(name, value);
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) reply.header("set-cookie", cookies);
      return reply.send(payload.length > 0 ? payload : null);
    },
  });
}
