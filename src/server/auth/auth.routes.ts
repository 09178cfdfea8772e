import { fromNodeHeaders } from "better-auth/node";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { BODY_LIMIT, serviceUnavailable } from "../http/envelope.js";
import type { FailureLimiter } from "../http/failure-limiter.js";
import { createAccountRouteNotFoundError, createSignInsPausedError, createUntrustedOriginError } from "./auth.errors.js";
import { AUTH_BASE_PATH, type Auth, CLIENT_IP_HEADER } from "./auth.js";
import { cookieWriteAllowed } from "./authenticator.js";
import { withBetterAuth } from "./better-auth-gate.js";

const SIGN_IN_PATH = `${AUTH_BASE_PATH}/sign-in/email`;

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
  /** Failed sign-ins per account (normalised email), whatever address they come from. */
  signInLimiter: FailureLimiter;
  trustedOrigins: ReadonlySet<string>;
}

/**
 * The account a sign-in attempt names (trimmed, lower case, as Better Auth stores emails), in either
 * body format Better Auth reads: JSON or a form. Better Auth's own limit is per address only.
 */
function signInEmail(request: FastifyRequest, body: Buffer | undefined): string | undefined {
  const path = request.url.split("?", 1)[0]!.replace(/\/+$/, "");
  if (request.method !== "POST" || path !== SIGN_IN_PATH || !body) return undefined;
  const text = body.toString("utf8");
  try {
    const email = (JSON.parse(text) as { email?: unknown } | null)?.email;
    return typeof email === "string" ? email.trim().toLowerCase() : undefined;
  } catch {
    return new URLSearchParams(text).get("email")?.trim().toLowerCase();
  }
}

/**
 * Better Auth answers its own refusals as JSON in its format (its client library reads them) and
 * throws everything else to our error handler. Two of its answers hide a database outage: a 401
 * (the session lookup failed) and a 5xx. For those the database is asked, and a 503 given if it is away.
 */
async function outageBehind(status: number, databaseAnswers: () => Promise<boolean>): Promise<boolean> {
  return (status === 401 || status >= 500) && !(await databaseAnswers());
}

/**
 * Better Auth's handler speaks Fetch Request/Response and parses bodies itself. Fastify's parsers
 * would refuse an empty JSON body (sign-out) and form posts, so this plugin hands over raw bytes.
 */
export async function authRoutes(app: FastifyInstance, { auth, publicUrl, databaseAnswers, signInLimiter, trustedOrigins }: AuthRoutesOptions) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: BODY_LIMIT }, (_request, body, done) => done(null, body));

  app.route({
    method: ["GET", "POST"],
    url: `${AUTH_BASE_PATH}/*`,
    schema: { hide: true },
    handler: async (request, reply) => {
      // Better Auth checks the Origin of most cookie-carrying posts, but not sign-out's.
      if (!cookieWriteAllowed(request, trustedOrigins)) {
        throw createUntrustedOriginError();
      }
      const body = request.body as Buffer | undefined;
      const email = signInEmail(request, body);
      const wait = email === undefined ? null : signInLimiter.retryAfter(email);
      if (wait !== null) throw createSignInsPausedError(wait);
      const response = await withBetterAuth(() =>
        auth.handler(
          new Request(new URL(request.url, publicUrl), {
            // Fastify answers HEAD through the GET route; Better Auth only knows the GET.
            method: request.method === "HEAD" ? "GET" : request.method,
            headers: clientHeaders(request),
            body: body && body.length > 0 ? new Uint8Array(body) : undefined,
          }),
        ),
      );
      if (await outageBehind(response.status, databaseAnswers)) throw serviceUnavailable();
      if (email !== undefined && response.status === 401) signInLimiter.failed(email);
      if (email !== undefined && response.status === 200) signInLimiter.succeeded(email);
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
