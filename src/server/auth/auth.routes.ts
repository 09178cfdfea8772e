import { fromNodeHeaders } from "better-auth/node";
import type { FastifyInstance } from "fastify";
import { AUTH_BASE_PATH, type Auth } from "./auth.js";

const BODY_LIMIT = 64 * 1024;

/**
 * Better Auth's handler speaks Fetch Request/Response and parses bodies itself. Fastify's parsers
 * would refuse an empty JSON body (sign-out) and form posts, so this plugin hands over raw bytes.
 */
export async function authRoutes(app: FastifyInstance, { auth, publicUrl }: { auth: Auth; publicUrl: string }) {
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
      reply.status(response.status);
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie") reply.header(name, value);
      });
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) reply.header("set-cookie", cookies);
      return reply.send(response.body ? Buffer.from(await response.arrayBuffer()) : null);
    },
  });
}
