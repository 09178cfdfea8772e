// @vitest-environment node
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { precompress } from "./precompress.js";
import { INITIAL_JS_BUDGET_BYTES, measureInitialJavaScript } from "./web-size.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), "ticked-web-build-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the web app's build", () => {
  const outDir = path.join(scratch, "dist");
  let built = false;
  /** One production build for the tests below. */
  function buildOnce() {
    if (built) return;
    // A separate process: under vitest NODE_ENV is "test", and Vite would bundle React's development build.
    const vite = path.join(root, "node_modules/vite/bin/vite.js");
    execFileSync(process.execPath, [vite, "build", "--config", "web/vite.config.ts", "--outDir", outDir, "--logLevel", "warn"], {
      cwd: root,
      stdio: "pipe",
      env: { ...process.env, NODE_ENV: "production" },
    });
    built = true;
  }

  it(`keeps the sign-in page's JavaScript within ${INITIAL_JS_BUDGET_BYTES / 1024} KB gzipped, the task screens apart`, { timeout: 120_000 }, () => {
    buildOnce();
    const initial = measureInitialJavaScript(outDir);
    expect(initial.files.length).toBeGreaterThan(0);
    expect(initial.gzipBytes).toBeGreaterThan(10 * 1024); // React alone is more: the measurement found the bundle
    expect(initial.gzipBytes).toBeLessThanOrEqual(INITIAL_JS_BUDGET_BYTES);
    // No inline script: the page's Content-Security-Policy would block it.
    expect(readFileSync(path.join(outDir, "index.html"), "utf8")).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    // The task page's words and the query library are in a chunk of their own, loaded after sign-in.
    const initialCode = initial.files.map((file) => readFileSync(path.join(outDir, file), "utf8")).join("\n");
    const lazyFiles = readdirSync(path.join(outDir, "assets")).filter((file) => file.endsWith(".js") && !initial.files.includes(`/assets/${file}`));
    const lazyCode = lazyFiles.map((file) => readFileSync(path.join(outDir, "assets", file), "utf8")).join("\n");
    for (const marker of ["Mark all done", "QueryClientProvider"]) {
      expect(initialCode, marker).not.toContain(marker);
      expect(lazyCode, marker).toContain(marker);
    }
  });

  it("writes a brotli and a gzip copy beside each text file, and none beside what would not shrink", { timeout: 120_000 }, () => {
    buildOnce();
    const count = precompress(outDir);
    const files = readdirSync(outDir, { recursive: true, encoding: "utf8" });
    const scripts = files.filter((file) => file.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(1);
    expect(count).toBeGreaterThanOrEqual(scripts.length + 2); // the scripts, the stylesheet, index.html
    for (const file of [...scripts, "index.html"]) {
      const original = readFileSync(path.join(outDir, file));
      expect(brotliDecompressSync(readFileSync(path.join(outDir, `${file}.br`))).equals(original), file).toBe(true);
      expect(gunzipSync(readFileSync(path.join(outDir, `${file}.gz`))).equals(original), file).toBe(true);
    }
    // robots.txt is a few bytes: gzip's framing alone is about 20.
    expect(existsSync(path.join(outDir, "robots.txt"))).toBe(true);
    expect(existsSync(path.join(outDir, "robots.txt.gz"))).toBe(false);
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
