import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { signUp } from "../../../test/users.js";

const INDEX = `<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>`;
const ASSET = "console.log('app')";
const ROBOTS = "User-agent: *\nDisallow: /api/\n";
// The build writes these beside the files; content that differs from the original shows which was sent.
const ASSET_BR = "console.log('from the brotli copy')";
const ASSET_GZ = "console.log('from the gzip copy')";

let webDir: string;
let t: TestApp;

beforeAll(async () => {
  webDir = mkdtempSync(path.join(tmpdir(), "ticked-web-"));
  mkdirSync(path.join(webDir, "assets"));
  writeFileSync(path.join(webDir, "index.html"), INDEX);
  writeFileSync(path.join(webDir, "assets", "index-Ab12Cd34.js"), ASSET);
  writeFileSync(path.join(webDir, "assets", "index-Ab12Cd34.js.br"), brotliCompressSync(ASSET_BR));
  writeFileSync(path.join(webDir, "assets", "index-Ab12Cd34.js.gz"), gzipSync(ASSET_GZ));
  writeFileSync(path.join(webDir, "index.html.br"), brotliCompressSync(INDEX));
  writeFileSync(path.join(webDir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  writeFileSync(path.join(webDir, "robots.txt"), ROBOTS);
  t = await buildTestApp({ WEB_DIR: webDir });
});
afterAll(async () => {
  await t.close();
  rmSync(webDir, { recursive: true, force: true });
});

describe("the web app at /", () => {
  it("answers index.html, never cached, under a policy that allows only the app's own assets", async () => {
    const response = await t.app.inject({ method: "GET", url: "/" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toContain("text/html");
    expect(response.body).toBe(INDEX);
    expect(response.headers["cache-control"]).toBe("no-cache");
    const policy = String(response.headers["content-security-policy"]);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("style-src 'self';");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain("unsafe-inline");
    expect(policy).not.toContain("https:");
  });

  it("falls back to index.html for the app's own routes, with their query strings", async () => {
    for (const url of ["/sign-in?next=%2F%3Fstatus%3Dpending", "/sign-up", "/some/deep/link", "/?status=completed&q=milk"]) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(INDEX);
      expect(response.headers["cache-control"], url).toBe("no-cache");
    }
    const head = await t.app.inject({ method: "HEAD", url: "/sign-in" });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-type"]).toContain("text/html");
  });

  it("serves hashed assets cached for a year, and other files without that promise", async () => {
    const asset = await t.app.inject({ method: "GET", url: "/assets/index-Ab12Cd34.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe(ASSET);
    expect(asset.headers["content-type"]).toContain("javascript");
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    // A rebuild while the server runs: the new hashed file is served without a restart.
    writeFileSync(path.join(webDir, "assets", "index-Ef56Gh78.js"), ASSET);
    const rebuilt = await t.app.inject({ method: "GET", url: "/assets/index-Ef56Gh78.js" });
    expect(rebuilt.statusCode).toBe(200);
    expect(rebuilt.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    const icon = await t.app.inject({ method: "GET", url: "/favicon.svg" });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["cache-control"]).toBeUndefined();
  });

  it("answers a missing asset with 404 rather than the page (a stale tab must not run HTML as script)", async () => {
    const response = await t.app.inject({ method: "GET", url: "/assets/index-Old00000.js" });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe("NOT_FOUND");
    expect((await t.app.inject({ method: "POST", url: "/assets/index-Ab12Cd34.js" })).statusCode).toBe(405);
  });

  it("sends the build's brotli or gzip copy as Accept-Encoding prefers, and says the answer varies by it", async () => {
    const asset = (acceptEncoding?: string) =>
      t.app.inject({ method: "GET", url: "/assets/index-Ab12Cd34.js", headers: acceptEncoding ? { "accept-encoding": acceptEncoding } : {} });
    const brotli = await asset("gzip, deflate, br");
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(brotli.rawPayload).toString()).toBe(ASSET_BR);
    expect(brotli.headers["content-type"]).toContain("javascript");
    expect(brotli.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(brotli.headers.vary).toContain("accept-encoding");
    const gzip = await asset("gzip");
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzip.rawPayload).toString()).toBe(ASSET_GZ);
    const plain = await asset();
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(ASSET);
    expect(plain.headers.vary).toContain("accept-encoding");
    // The page too, for a client route, and still never cached and under the app's policy.
    const page = await t.app.inject({ method: "GET", url: "/sign-in", headers: { "accept-encoding": "br" } });
    expect(page.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(page.rawPayload).toString()).toBe(INDEX);
    expect(page.headers["content-type"]).toContain("text/html");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.headers["content-security-policy"]).toContain("script-src 'self';");
  });

  it("serves robots.txt, and answers any other file name that does not exist with a 404, not the page", async () => {
    const robots = await t.app.inject({ method: "GET", url: "/robots.txt" });
    expect(robots.statusCode).toBe(200);
    expect(robots.headers["content-type"]).toContain("text/plain");
    expect(robots.body).toBe(ROBOTS);
    for (const url of ["/sitemap.xml", "/apple-touch-icon.png", "/favicon.ico", "/some/deep/old-bundle.js?v=1", "/assets", "/assets/"]) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(404);
      expect(response.json(), url).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    }
    // The copies are how files are sent, not files of their own.
    expect((await t.app.inject({ method: "GET", url: "/index.html.br" })).statusCode).toBe(404);
    for (const url of ["/", "/sign-in", "/tasks?x=y", "/?q=v1.2"]) {
      const response = await t.app.inject({ method: "GET", url });
      expect(response.statusCode, url).toBe(200);
      expect(response.body, url).toBe(INDEX);
    }
  });

  it("keeps the server's own paths: unknown /api paths are the JSON 404, known ones 405", async () => {
    for (const [method, url] of [
      ["GET", "/api/nope"],
      ["GET", "/api"],
      ["POST", "/api/nope"],
      ["GET", "/healthz/extra"],
      ["POST", "/sign-in"],
      ["DELETE", "/"],
    ] as const) {
      const response = await t.app.inject({ method, url });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.json(), `${method} ${url}`).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    }
    const user = await signUp(t.app);
    const wrongMethod = await t.app.inject({
      method: "GET",
      url: `${user.tasksUrl}/00000000-0000-4000-8000-000000000000/complete`,
      headers: user.bearer,
    });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe("PATCH");
    const health = await t.app.inject({ method: "GET", url: "/healthz" });
    expect(health.json()).toEqual({ success: true, data: { status: "ok" }, message: "Up" });
  });

  it("leaves /docs under the server-wide policy, which its own assets need", async () => {
    const docs = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain("swagger");
    expect(docs.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  });
});

describe("without a built web app", () => {
  it("serves the API alone, says why in the log, and / is a JSON 404", async () => {
    const bare = await buildTestApp({ WEB_DIR: path.join(webDir, "missing") });
    try {
      const response = await bare.app.inject({ method: "GET", url: "/" });
      expect(response.statusCode).toBe(404);
      expect(response.json().error.code).toBe("NOT_FOUND");
      expect(bare.logs.some((line) => line.includes("no web app in") && line.includes("npm run build"))).toBe(true);
      expect((await bare.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
