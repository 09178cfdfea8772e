import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { prepareDatabaseTemplate } from "./server.js";

/**
 * Before any test: build the web app if web/ changed since the last build (the tests run against the
 * built app), and migrate one template database that every test server starts from a copy of.
 */
export default async function globalSetup() {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build-web.ts", "--if-stale"], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdio: "inherit",
  });
  const template = await prepareDatabaseTemplate();
  return () => template && rmSync(template, { recursive: true, force: true });
}
