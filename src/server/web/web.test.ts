import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { signUp } from "../../../test/users.js";

const INDEX = `<!doctype html><html><head><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>`;
const ASSET = "console.log('app')";

let webDir: string;
let t: TestApp;

beforeAll(async () => {
  webDir = mkdtempSync(path.join(tmpdir(), "ticked-web-"));
  mkdirSync(path.join(webDir, "assets"));
  writeFileSync(path.join(webDir, "index.html"), INDEX);
  writeFileSync(path.join(webDir, "assets", "index-Ab12Cd34.js"), ASSET);
  writeFileSync(path.join(webDir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
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
