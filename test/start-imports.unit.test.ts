import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { launchServer, ROOT } from "../scripts/launch-server.js";
import { STARTUP_MS, signUpOver } from "./server-process.js";

/**
 * npm start on an up-to-date build: the compiled server, run as npm start runs it, with a preload that
 * records every module file it loads. In the unit project, so that one run builds dist/server at a time.
 */

// debug requires supports-color inside a try, and does without it when it is not installed.
const OPTIONAL_WHEN_PRESENT = new Set(["node_modules/supports-color"]);

/** The package folders (as package-lock.json names them) that these module URLs lie in. */
function packageFolders(urls: string[]): Set<string> {
  const folders = new Set<string>();
  for (const url of urls) {
    if (!url.startsWith("file:")) continue;
    const folder = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)/.exec(path.relative(ROOT, fileURLToPath(url)))?.[1];
    if (folder) folders.add(folder);
  }
  return folders;
}

describe("npm start", () => {
  it("the compiled server imports no devDependency, and loads nothing that npm ci --omit=dev leaves out", { timeout: 3 * STARTUP_MS }, async () => {
    // npm start's prestart step for the server: compile dist/server when a source is newer.
    execFileSync(process.execPath, ["--import", "tsx", "scripts/build-server.ts", "--if-stale"], { cwd: ROOT });
    const dir = mkdtempSync(path.join(tmpdir(), "ticked-start-imports-"));
    try {
      const record = path.join(dir, "modules.txt");
      const server = await launchServer({
        env: {
          NODE_ENV: "production",
          DATA_DIR: path.join(dir, "data"),
          BETTER_AUTH_SECRET: "s".repeat(32),
          LOG_LEVEL: "warn",
          RECORD_MODULES_FILE: record,
        },
        entry: "build",
        nodeArgs: ["--import", path.join(ROOT, "test", "setup", "record-modules.mjs")],
        timeoutMs: STARTUP_MS,
      });
      try {
        // What loads lazily: accounts and tokens, the task API, the API reference, the web app.
        const user = await signUpOver(server.url);
        expect((await fetch(user.tasksUrl, { headers: user.headers })).status).toBe(200);
        for (const page of ["/docs/json", "/docs/", "/"])
          await (await fetch(`${server.url}${page}`, { headers: { accept: "text/html" } })).arrayBuffer();
      } finally {
        expect(await server.stop()).toBe(0);
      }

      const lines = readFileSync(record, "utf8")
        .trim()
        .split("\n")
        .map((line) => line.split(" -> ") as [string, string]);
      const { devDependencies } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
      const lock = JSON.parse(readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean }> };
      const ourCode = `file://${path.join(ROOT, "dist")}/`;
      const importedByUs = packageFolders(lines.filter(([importer]) => importer.startsWith(ourCode)).map(([, url]) => url));
      expect(importedByUs.has("node_modules/fastify"), "the record holds the server's own imports").toBe(true);
      expect(
        [...importedByUs].filter((folder) => folder.slice("node_modules/".length) in devDependencies),
        "devDependencies the server imports",
      ).toEqual([]);
      // A devDependency may still come in as a dependency's dependency (yaml, by @fastify/swagger): npm installs those.
      const loaded = packageFolders(lines.map(([, url]) => url));
      const missingWithoutDev = [...loaded].filter((folder) => lock.packages[folder]?.dev && !OPTIONAL_WHEN_PRESENT.has(folder));
      expect(missingWithoutDev, "loaded packages npm ci --omit=dev does not install").toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
