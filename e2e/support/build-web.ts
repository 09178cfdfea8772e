import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Playwright's global setup: the tests run against the built app, rebuilt only when web/ changed. */
export default function buildWebApp() {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build-web.ts", "--if-stale"], {
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    stdio: "inherit",
  });
}
