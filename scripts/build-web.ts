/**
 * Builds the web app into dist/web, writes a brotli and a gzip copy beside each text file (the server
 * sends the one the browser accepts), and prints its initial JavaScript size. With --if-stale (npm
 * start's prestart) it builds only when dist/web is missing or older than a file under web/.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { newestSource, writtenAt } from "./mtime.js";
import { precompress } from "./precompress.js";
import { describeInitialJavaScript, INITIAL_JS_BUDGET_BYTES, measureInitialJavaScript } from "./web-size.js";

const root = fileURLToPath(new URL("..", import.meta.url));
// React and the app are bundled for production whatever NODE_ENV the shell has (vitest sets "test").
process.env.NODE_ENV = "production";
const sources = path.join(root, "web");
const output = path.join(root, "dist", "web");

// The web app also bundles src/shared (the contract's limits).
const newest = Math.max(newestSource(sources), newestSource(path.join(root, "src", "shared")));
if (process.argv.includes("--if-stale") && writtenAt(path.join(output, "index.html")) > newest) process.exit(0);

// Imported only when a build is due: npm start on an up-to-date build loads no devDependency.
const { build } = await import("vite");
await build({ configFile: path.join(sources, "vite.config.ts"), logLevel: "warn" });
const compressed = precompress(output);
const initial = measureInitialJavaScript(output);
process.stdout.write(
  `web app built into ${path.relative(root, output)} (${compressed} files precompressed); ${describeInitialJavaScript(initial)}\n`,
);
if (initial.gzipBytes > INITIAL_JS_BUDGET_BYTES) {
  process.stderr.write("the initial JavaScript is over budget\n");
  process.exit(1);
}
