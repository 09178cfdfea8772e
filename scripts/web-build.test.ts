// @vitest-environment node
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { INITIAL_JS_BUDGET_BYTES, measureInitialJavaScript } from "./web-size.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), "ticked-web-build-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the web app's build", () => {
  it(`keeps the initial JavaScript within ${INITIAL_JS_BUDGET_BYTES / 1024} KB gzipped`, { timeout: 120_000 }, () => {
    const outDir = path.join(scratch, "dist");
    // A separate process: under vitest NODE_ENV is "test", and Vite would bundle React's development build.
    const vite = path.join(root, "node_modules/vite/bin/vite.js");
    execFileSync(process.execPath, [vite, "build", "--config", "web/vite.config.ts", "--outDir", outDir, "--logLevel", "warn"], {
      cwd: root,
      stdio: "pipe",
      env: { ...process.env, NODE_ENV: "production" },
    });
    const initial = measureInitialJavaScript(outDir);
    expect(initial.files.length).toBeGreaterThan(0);
    expect(initial.gzipBytes).toBeGreaterThan(10 * 1024); // React alone is more: the measurement found the bundle
    expect(initial.gzipBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
    // No inline script: the page's Content-Security-Policy would block it.
    expect(readFileSync(path.join(outDir, "index.html"), "utf8")).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("counts the entry script and its preloaded chunks, not lazy ones", () => {
    const dir = path.join(scratch, "fixture");
    mkdirSync(path.join(dir, "assets"), { recursive: true });
    const random = (bytes: number) => Buffer.from(Array.from({ length: bytes }, () => Math.floor(Math.random() * 256)));
    writeFileSync(path.join(dir, "assets", "index-a.js"), random(2000));
    writeFileSync(path.join(dir, "assets", "vendor-b.js"), random(3000));
    writeFileSync(path.join(dir, "assets", "lazy-c.js"), random(50_000));
    writeFileSync(
      path.join(dir, "index.html"),
      `<script type="module" crossorigin src="/assets/index-a.js"></script><link rel="modulepreload" crossorigin href="/assets/vendor-b.js">`,
    );
    const initial = measureInitialJavaScript(dir);
    expect(initial.files).toEqual(["/assets/index-a.js", "/assets/vendor-b.js"]);
    // Random bytes do not compress: about 5,000 bytes plus gzip's framing.
    expect(initial.gzipBytes).toBeGreaterThan(5000);
    expect(initial.gzipBytes).toBeLessThan(5200);
  });
});

describe("the typed API client", () => {
  it("web/src/api/schema.d.ts is what npm run api:generate makes of contracts/tasks-api.yaml", { timeout: 60_000 }, () => {
    const generated = path.join(scratch, "schema.d.ts");
    execFileSync(process.execPath, [path.join(root, "node_modules/openapi-typescript/bin/cli.js"), "contracts/tasks-api.yaml", "-o", generated], {
      cwd: root,
      stdio: "pipe",
    });
    expect(readFileSync(path.join(root, "web/src/api/schema.d.ts"), "utf8")).toBe(readFileSync(generated, "utf8"));
  });
});
