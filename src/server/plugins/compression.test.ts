import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { signUp, type TestUser } from "../../../test/users.js";
import { COMPRESSION_THRESHOLD_BYTES } from "./compression.js";

let webDir: string;
let t: TestApp;
let user: TestUser;

beforeAll(async () => {
  // A page over the threshold, with no precompressed copy: the server must not compress it itself.
  webDir = mkdtempSync(path.join(tmpdir(), "ticked-compression-"));
  mkdirSync(path.join(webDir, "assets"));
  writeFileSync(path.join(webDir, "index.html"), `<!doctype html><p>${"page ".repeat(1000)}</p>`);
  t = await buildTestApp({ WEB_DIR: webDir });
  user = await signUp(t.app);
  for (let i = 0; i < 10; i++) {
    const created = await t.app.inject({
      method: "POST",
      url: user.tasksUrl,
      headers: user.bearer,
      payload: { title: `Task ${i} ${"x".repeat(150)}` },
    });
    expect(created.statusCode).toBe(201);
  }
});
afterAll(async () => {
  await t.close();
  rmSync(webDir, { recursive: true, force: true });
});

const list = (acceptEncoding?: string) =>
  t.app.inject({ method: "GET", url: user.tasksUrl, headers: { ...user.bearer, ...(acceptEncoding ? { "accept-encoding": acceptEncoding } : {}) } });

describe("compression of the API's answers", () => {
  it("sends a JSON answer over the threshold in brotli or gzip, as Accept-Encoding prefers", async () => {
    const plain = await list();
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.rawPayload.length).toBeGreaterThan(COMPRESSION_THRESHOLD_BYTES);

    const brotli = await list("gzip, deflate, br");
    expect(brotli.statusCode).toBe(200);
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(brotli.headers.vary).toContain("accept-encoding");
    expect(brotli.headers["content-type"]).toContain("application/json");
    expect(Number(brotli.headers["content-length"])).toBe(brotli.rawPayload.length);
    expect(brotli.rawPayload.length).toBeLessThan(plain.rawPayload.length / 3);
    expect(JSON.parse(brotliDecompressSync(brotli.rawPayload).toString())).toEqual(plain.json());

    const gzip = await list("gzip");
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(gzip.rawPayload).toString())).toEqual(plain.json());
  });

  it("leaves answers under the threshold as they are", async () => {
    const one = await t.app.inject({ method: "GET", url: `${user.tasksUrl}/counts`, headers: { ...user.bearer, "accept-encoding": "br, gzip" } });
    expect(one.statusCode).toBe(200);
    expect(one.rawPayload.length).toBeLessThan(COMPRESSION_THRESHOLD_BYTES);
    expect(one.headers["content-encoding"]).toBeUndefined();
    expect(one.json().data).toMatchObject({ all: 10 });
    const missing = await t.app.inject({ method: "GET", url: "/api/nope", headers: { "accept-encoding": "br, gzip" } });
    expect(missing.headers["content-encoding"]).toBeUndefined();
  });

  it("compresses the OpenAPI document", async () => {
    const document = await t.app.inject({ method: "GET", url: "/openapi.json", headers: { "accept-encoding": "br" } });
    expect(document.headers["content-encoding"]).toBe("br");
    expect(JSON.parse(brotliDecompressSync(document.rawPayload).toString())).toHaveProperty("openapi");
  });

  it("compresses nothing but JSON: not the page, nor the reference's own files", async () => {
    const page = await t.app.inject({ method: "GET", url: "/sign-in", headers: { "accept-encoding": "br, gzip" } });
    expect(page.statusCode).toBe(200);
    expect(page.rawPayload.length).toBeGreaterThan(COMPRESSION_THRESHOLD_BYTES);
    expect(page.headers["content-encoding"]).toBeUndefined();
    const docs = await t.app.inject({ method: "GET", url: "/docs/static/swagger-ui.css", headers: { "accept-encoding": "br, gzip" } });
    expect(docs.statusCode).toBe(200);
    expect(docs.rawPayload.length).toBeGreaterThan(COMPRESSION_THRESHOLD_BYTES);
    expect(docs.headers["content-encoding"]).toBeUndefined();
  });

  it("takes a request body as sent, never inflating a compressed one", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: user.tasksUrl,
      headers: { ...user.bearer, "content-type": "application/json", "content-encoding": "gzip" },
      payload: gzipSync(JSON.stringify({ title: "zipped" })),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe("BAD_REQUEST");
  });
});
