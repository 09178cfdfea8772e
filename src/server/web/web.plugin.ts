import { existsSync } from "node:fs";
import path from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";

export interface WebPluginOptions {
  /** vite build's output: index.html and hashed files under assets/. */
  root: string;
  servedOverHttps: boolean;
}

// Paths the server answers itself: an unknown one there is a JSON 404 (or 405), never the page.
const NOT_APP_PATHS = /^\/(api|docs|healthz|readyz|openapi\.json|assets)(\/|$)/;
// A name with an extension asks for a file (robots.txt, an old script): one that does not exist is a
// 404, since the page in its place would be read as a robots file or run as a script.
const FILE_LIKE_PATH = /\.[^/.]+$/;
// scripts/build-web.ts writes a compressed copy beside each file, served by the request's Accept-Encoding.
const PRECOMPRESSED_COPIES = ["**/*.br", "**/*.gz"];
const HTML_FILE = /\.html(\.br|\.gz)?$/;
const ONE_YEAR = "public, max-age=31536000, immutable";

/**
 * Stricter than the server-wide policy (which /docs needs): the app loads only its own scripts,
 * styles, images and API, and nothing inline.
 */
function appContentSecurityPolicy(servedOverHttps: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "script-src-attr 'none'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(servedOverHttps ? ["upgrade-insecure-requests"] : []),
  ].join("; ");
}

/**
 * Serves the built single-page app at /: its files (precompressed where the browser accepts brotli
 * or gzip), and index.html for every other GET outside the server's own paths that does not name a
 * file, so a reload on /sign-in or a shared link lands in the app.
 */
export async function webPlugin(app: FastifyInstance, { root, servedOverHttps }: WebPluginOptions) {
  if (!existsSync(path.join(root, "index.html"))) {
    app.log.warn(`no web app in ${root} (run npm run build); serving the API only`);
    return;
  }
  const policy = appContentSecurityPolicy(servedOverHttps);
  const htmlHeaders = (reply: FastifyReply, file: string) => {
    if (!HTML_FILE.test(file)) return;
    reply.header("cache-control", "no-cache");
    reply.header("content-security-policy", policy);
  };
  // The files beside index.html (favicon.svg and the like): a route each, for those present at start.
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    globIgnore: ["assets/**", ...PRECOMPRESSED_COPIES],
    index: false,
    preCompressed: true,
    cacheControl: false,
    schemaHide: true,
    setHeaders: htmlHeaders,
  });
  // Vite puts a content hash in every name under assets/: a changed file is a new URL, so each one can
  // be cached for a year. Looked up per request, so a rebuild is served without a restart.
  await app.register(fastifyStatic, {
    root: path.join(root, "assets"),
    prefix: "/assets/",
    decorateReply: false,
    index: false,
    preCompressed: true,
    cacheControl: false,
    schemaHide: true,
    setHeaders: (reply) => reply.header("cache-control", ONE_YEAR),
  });

  app.get("/*", { schema: { hide: true } }, (request, reply) => {
    const pathname = request.url.split("?", 1)[0]!;
    if (NOT_APP_PATHS.test(pathname) || FILE_LIKE_PATH.test(pathname)) return reply.callNotFound();
    return reply.sendFile("index.html");
  });
}
