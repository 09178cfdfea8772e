import { fromNodeHeaders } from "better-auth/node";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { BODY_LIMIT, serviceUnavailable } from "../http/envelope.js";
import { createAccountRouteNotFoundError, createUntrustedOriginError } from "./auth.errors.js";
import { AUTH_BASE_PATH, type Auth, CLIENT_IP_HEADER } from "./auth.js";
import { cookieWriteAllowed } from "./authenticator.js";
import { withBetterAuth } from "./better-auth-gate.js";

/** The request's headers, with the client address as Fastify sees it in a header only we can set. */
function clientHeaders(request: FastifyRequest): Headers {
  const headers = fromNodeHeaders(request.headers);
  headers.set(CLIENT_IP_HEADER, request.ip);
  return headers;
}

export interface AuthRoutesOptions {
  auth: Auth;
  publicUrl: string;
  databaseAnswers: () => Promise<boolean>;
  trustedOrigins: ReadonlySet<string>;
}

/**
 * Better Auth routes by the normalised path: dot segments (also as %2e), backslashes and doubled
 * slashes name the same route as the plain spelling. A path that any of them would change is
 * refused, so whatever looks at the path before Better Auth sees the one Better Auth routes by.
 * Better Auth's own paths are plain: letters, digits, dashes and single slashes.
 */
function spelledPlainly(url: string): boolean {
  const path = url.split("?", 1)[0]!;
  if (/[%\\]|\/\//.test(path)) return false;
  return new URL(path, "http://localhost").pathname === path;
}

/**
 * Better Auth answers its own refusals as JSON in its format (its client library reads them) and
 * throws everything else to our error handler. Two of its answers hide a database outage: a 401
 * (the session lookup failed) and a 5xx. For those the database is asked, and a 503 given if it is away.
 */
async function outageBehind(status: number, databaseAnswers: () => Promise<boolean>): Promise<boolean> {
  return (status === 401 || status >= 500) && !(await databaseAnswers());
}

/** The app answers a path with a trailing slash as the path without (ignoreTrailingSlash); Better Auth does not. */
function withoutTrailingSlash(url: string): string {
  const query = url.indexOf("?");
  const path = query === -1 ? url : url.slice(0, query);
  return path.endsWith("/") ? `${path.slice(0, -1)}${query === -1 ? "" : url.slice(query)}` : url;
}

/**
 * Better Auth's handler speaks Fetch Request/Response and parses bodies itself. Fastify's parsers
 * would refuse an empty JSON body (sign-out) and form posts, so this plugin hands over raw bytes.
 */
export async function authRoutes(app: FastifyInstance, { auth, publicUrl, databaseAnswers, trustedOrigins }: AuthRoutesOptions) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.route({
    method: ["GET", "POST"],
    url: `${AUTH_BASE_PATH}/*`,
    schema: { hide: true },
    handler: async (request, reply) => {
      if (!spelledPlainly(request.url)) throw createAccountRouteNotFoundError();
      // Better Auth checks the Origin of most cookie-carrying posts, but not sign-out's.
      if (!cookieWriteAllowed(request, trustedOrigins)) {
        throw createUntrustedOriginError();
      }
      const body = request.body as Buffer | undefined;
      const response = await withBetterAuth(() =>
        auth.handler(
          new Request(new URL(withoutTrailingSlash(request.url), publicUrl), {
            // Fastify answers HEAD through the GET route; Better Auth only knows the GET.
            method: request.method === "HEAD" ? "GET" : request.method,
            headers: clientHeaders(request),
            body: body && body.length > 0 ? new Uint8Array(body) : undefined,
          }),
        ),
      );
      if (await outageBehind(response.status, databaseAnswers)) throw serviceUnavailable();
      const payload = Buffer.from(await response.arrayBuffer());
      const isJson = response.headers.get("content-type")?.includes("application/json") ?? false;
      if (response.status === 404 && !isJson) throw createAccountRouteNotFoundError();
      reply.status(response.status);
      response.headers.forEach((value, name) => {
        if (name !== "set-cookie") reply.header(name, value);
      });
      // Better Auth's own per-address limit names its wait X-Retry-After; clients read Retry-After.
      const retryAfter = response.headers.get("x-retry-after");
      if (response.status === 429 && retryAfter) reply.header("retry-after", retryAfter);
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) reply.header("set-cookie", cookies);
      return reply.send(payload.length > 0 ? payload : null);
    },
  });
}
