import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { ApiError } from "../http/envelope.js";
import { sendError } from "./errors.js";

interface KnownPath {
  pattern: RegExp;
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
 * Fastify answers an unsupported method on a known path with 404; the contract wants 405 and an
 * Allow header. Every route is recorded as it is added, so the not-found handler can tell the two apart.
 */
export const notFoundPlugin = fp(
  async (app: FastifyInstance) => {
    const known = new Map<string, KnownPath>();
    app.addHook("onRoute", (route) => {
      // The web app's catch-all (GET /*) says nothing about which methods a path allows.
      if (route.url === "/*") return;
      const entry = known.get(route.url) ?? { pattern: toPattern(route.url), methods: new Set<string>() };
      for (const method of [route.method].flat()) entry.methods.add(method);
      known.set(route.url, entry);
    });

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split("?", 1)[0]!;
      const allowed = new Set<string>();
      for (const { pattern, methods } of known.values()) {
        if (pattern.test(path)) for (const method of methods) allowed.add(method);
      }
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
