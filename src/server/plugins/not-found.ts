import type { FastifyInstance, HTTPMethods } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "../http/envelope.js";
import { sendError } from "./errors.js";

interface KnownPath {
  pattern: RegExp;
  /** How many of its segments are parameters: a path's most specific route is the one with fewest. */
  parameters: number;
  methods: Set<string>;
}

function toPattern(url: string): RegExp {
  const source = url
    .split("/")
    .map((segment) => (segment === "*" ? ".*" : segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/**
 * Routes that answer 405 for methods a static path does not allow, where Fastify would otherwise
 * hand the request to a parametric route beside it (DELETE /tasks/counts to DELETE /tasks/:task_id,
 * which would then refuse "counts" as a malformed id).
 */
export function refuseMethods(app: FastifyInstance, url: string, methods: HTTPMethods[]) {
  app.route({
    method: methods,
    url,
    schema: { hide: true },
    config: { refusesMethod: true, rateLimit: false },
    handler: (_request, reply) => reply.callNotFound(),
  });
}

/**
 * Fastify answers an unsupported method on a known path with 404; the contract wants 405 and an
 * Allow header. Every route is recorded as it is added, so the not-found handler can tell the two apart.
 */
export const notFoundPlugin = fp(
  async (app: FastifyInstance) => {
    const known = new Map<string, KnownPath>();
    app.addHook("onRoute", (route) => {
      // The web app's catch-all (GET /*) says nothing about which methods a path allows.
      if (route.url === "/*" || route.config?.refusesMethod) return;
      const entry = known.get(route.url) ?? {
        pattern: toPattern(route.url),
        parameters: route.url.split("/").filter((segment) => segment.startsWith(":") || segment === "*").length,
        methods: new Set<string>(),
      };
      for (const method of [route.method].flat()) entry.methods.add(method);
      known.set(route.url, entry);
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split("?", 1)[0]!;
      // As Fastify's router, a static segment wins over a parameter: /tasks/counts is not /tasks/:task_id.
      const matches = [...known.values()].filter(({ pattern }) => pattern.test(path));
      const fewest = Math.min(...matches.map(({ parameters }) => parameters));
      const allowed = new Set(matches.filter(({ parameters }) => parameters === fewest).flatMap(({ methods }) => [...methods]));
      // A route that allows this method and still found nothing (a missing static file) is a plain 404.
      if (allowed.size > 0 && !allowed.has(request.method)) {
        const allow = [...allowed].sort().join(", ");
        return sendError(
          reply.header("allow", allow),
          new ApiError("METHOD_NOT_ALLOWED", `${request.method} is not allowed here; allowed: ${allow}`),
        );
      }
      return sendError(reply, new ApiError("NOT_FOUND", `no route for ${request.method} ${path}`));
    });
  },
  { name: "not-found" },
);
