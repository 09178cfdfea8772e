/**
 * Compiles the server to JavaScript in dist/server (npm start runs that: it holds far less memory
 * than running the TypeScript through tsx). With --if-stale (npm start's prestart) it compiles only
 * when a source file is newer than the last build.
 */
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { newestSource, writtenAt } from "./mtime.js";

const root = fileURLToPath(new URL("..", import.meta.url));
// tsc rewrites only what changed, but always its build-info file: that tells when it last ran.
const buildInfo = path.join(root, "dist", "server.tsbuildinfo");

if (
  !process.argv.includes("--if-stale") ||
  writtenAt(buildInfo) <= Math.max(newestSource(path.join(root, "src", "server")), newestSource(path.join(root, "src", "shared")))
) {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", path.join(root, "tsconfig.server.json")], { stdio: "inherit" });
  process.stdout.write(`server compiled into ${path.join("dist", "server")}\n`);
}
