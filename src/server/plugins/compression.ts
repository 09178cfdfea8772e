import compress from "@fastify/compress";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** Below this many bytes an answer fits in a packet or two, and compressing it costs more than it saves. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;
// The routes whose answers are JSON: the API (Better Auth's included) and the OpenAPI document.
// The web app's files are compressed once, at build time (scripts/build-web.ts), and /docs serves
// Swagger UI's own files as they are.
const JSON_ROUTES = /^\/(api\/|openapi\.json$|docs\/json$)/;
// Only JSON: never a text/event-stream, which a proxy or a compressor's buffer would hold back.
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/;

/**
 * Brotli or gzip, as the request's Accept-Encoding prefers, for JSON answers over the threshold.
 * Registered before the routes: it attaches itself to each route as it is added.
 */
export const compressionPlugin = fp(
  async (app: FastifyInstance) => {
    app.addHook("onRoute", (route) => {
      if (!JSON_ROUTES.test(route.url)) route.compress = false;
    });
    await app.register(compress, {
      encodings: ["br", "gzip"],
      threshold: COMPRESSION_THRESHOLD_BYTES,
      customTypes: JSON_TYPE,
      // Request bodies are taken as sent: no client of the contract compresses them, and inflating
      // them would only open the door to decompression bombs.
      globalDecompression: false,
    });
  },
  { name: "compression" },
);
