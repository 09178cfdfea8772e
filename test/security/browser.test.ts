import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/server/config/config.js";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../app.js";
import { createTask } from "../tasks.js";
import { signUp, type TestUser } from "../users.js";
import { expectEnvelope, snapshot } from "./actors.js";
import { loadOpenApi, type OpenApiDocument, operationsOf, requestFor } from "./contract.js";

/** What a hostile page in the user's own browser could try (OWASP API8): CSRF, framing, sniffing, CORS. */
const EVIL = "https://evil.example";
const ALLOWED = "https://app.example";
let t: TestApp;
let doc: OpenApiDocument;
let owner: TestUser;

beforeAll(async () => {
  t = await buildTestApp();
  doc = await loadOpenApi(t.app);
  owner = await signUp(t.app, "Browser user");
}, 60_000);
afterAll(() => t.close());

describe("cookie-authenticated writes", () => {
  it("every write operation with the session cookie from a foreign Origin or Referer is a 403 and changes nothing", { timeout: 60_000 }, async () => {
    const writes = operationsOf(doc).filter((operation) => operation.method !== "GET");
    expect(writes.length).toBeGreaterThan(0);
    for (const operation of writes) {
      const mine = await createTask(t.app, owner, { title: "Mine" });
      for (const headers of [
        { origin: EVIL },
        { referer: `${EVIL}/page` },
        { origin: "null" },
        {},
        { origin: `${TEST_ORIGIN}.evil.example` },
      ] as Record<string, string>[]) {
        const before = await snapshot(t.app, owner);
        const request = requestFor(doc, operation, { userId: owner.id, objectId: mine.id, headers: { cookie: owner.cookie, ...headers } });
        expectEnvelope(await t.app.inject(request), 403, "FORBIDDEN", `${operation.name} ${JSON.stringify(headers)}`);
        expect(await snapshot(t.app, owner)).toEqual(before);
      }
    }
  });

  it("account writes with the session cookie from a foreign Origin (sign-out included) are 403 and the session lives on", async () => {
    for (const url of ["/api/auth/sign-out", "/api/auth/delete-user", "/api/auth/update-user", "/api/auth/revoke-sessions"]) {
      for (const headers of [{ origin: EVIL }, { referer: `${EVIL}/` }, {}]) {
        const response = await t.app.inject({
          method: "POST",
          url,
          headers: { cookie: owner.cookie, ...headers },
          payload: { password: owner.password, name: "Pwned" },
        });
        expect(response.statusCode, `${url} ${JSON.stringify(headers)}`).toBe(403);
      }
    }
    const session = await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: owner.cookie } });
    expect(session.json().user).toMatchObject({ id: owner.id, name: "Browser user" });
  });
});

describe("security headers", () => {
  const pages = () => ["/healthz", "/openapi.json", "/docs/", "/api/nope", owner.tasksUrl];

  it("every answer has nosniff, frame denial, a CSP that forbids framing, no x-powered-by, and (over HTTP) no HSTS", async () => {
    for (const url of pages()) {
      const response = await t.app.inject({ method: "GET", url, headers: owner.bearer });
      expect(response.headers["x-content-type-options"], url).toBe("nosniff");
      expect(response.headers["x-frame-options"], url).toBe("DENY");
      expect(response.headers["content-security-policy"], url).toContain("frame-ancestors 'none'");
      expect(response.headers["x-powered-by"], url).toBeUndefined();
      expect(response.headers["strict-transport-security"], url).toBeUndefined();
    }
  });

  it("JSON under /api carries the API's headers (no content, same-origin only); documents carry helmet's full set", async () => {
    for (const url of ["/api/nope", owner.tasksUrl, "/api/auth/get-session"]) {
      const response = await t.app.inject({ method: "GET", url, headers: { ...owner.bearer, cookie: owner.cookie } });
      expect(response.headers["content-security-policy"], url).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.headers["cross-origin-resource-policy"], url).toBe("same-origin");
      expect(response.headers["referrer-policy"], url).toBeUndefined();
    }
    const docs = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(docs.headers["referrer-policy"]).toBe("no-referrer");
    expect(docs.headers["cross-origin-opener-policy"]).toBe("same-origin");
  });

  it("/docs has a CSP allowing scripts from its own origin only (no inline script)", async () => {
    const response = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(response.statusCode).toBe(200);
    const csp = String(response.headers["content-security-policy"]);
    expect(csp).toMatch(/default-src 'self'/);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toMatch(/object-src 'none'/);
  });

  it("behind HTTPS (an https public URL), answers carry HSTS and the session cookie is Secure", { timeout: 60_000 }, async () => {
    const secure = await buildTestApp({ BETTER_AUTH_URL: "https://todo.example" });
    try {
      const response = await secure.app.inject({ method: "GET", url: "/healthz" });
      expect(response.headers["strict-transport-security"]).toMatch(/max-age=\d{7,}/);
      const signUpResponse = await secure.app.inject({
        method: "POST",
        url: "/api/auth/sign-up/email",
        headers: { origin: "https://todo.example" },
        payload: { name: "Secure", email: `secure-${Date.now()}@example.com`, password: "correct horse battery staple" },
      });
      const cookies = [signUpResponse.headers["set-cookie"] ?? []].flat();
      const sessionCookie = cookies.find((cookie) => cookie.includes("session_token="));
      expect(sessionCookie).toMatch(/^__Secure-/);
      expect(sessionCookie).toMatch(/; Secure/i);
      expect(sessionCookie).toMatch(/; HttpOnly/i);
      expect(sessionCookie).toMatch(/; SameSite=Lax/i);
    } finally {
      await secure.close();
    }
  });
});

describe("CORS", () => {
  const preflight = (app: TestApp["app"], origin: string) =>
    app.inject({
      method: "OPTIONS",
      url: owner.tasksUrl,
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });

  it("closed by default: no Access-Control-Allow-Origin for any origin, on preflights or answers", async () => {
    for (const origin of [EVIL, ALLOWED, TEST_ORIGIN, "null"]) {
      const answers = [
        await preflight(t.app, origin),
        await t.app.inject({ method: "GET", url: owner.tasksUrl, headers: { ...owner.bearer, origin } }),
      ];
      for (const answer of answers) {
        expect(answer.headers["access-control-allow-origin"], origin).toBeUndefined();
        expect(answer.headers["access-control-allow-credentials"], origin).toBeUndefined();
      }
    }
  });

  it("opened by CORS_ORIGINS to exactly the listed origins, with credentials", { timeout: 60_000 }, async () => {
    const open = await buildTestApp({ CORS_ORIGINS: `${ALLOWED}, https://second.example/` });
    try {
      const allowed = await preflight(open.app, ALLOWED);
      expect(allowed.statusCode).toBe(204);
      expect(allowed.headers["access-control-allow-origin"]).toBe(ALLOWED);
      expect(allowed.headers["access-control-allow-credentials"]).toBe("true");
      expect(String(allowed.headers.vary)).toMatch(/origin/i);
      const user = await signUp(open.app, "Cross-origin");
      const read = await open.app.inject({ method: "GET", url: user.tasksUrl, headers: { ...user.bearer, origin: "https://second.example" } });
      expect(read.statusCode).toBe(200);
      expect(read.headers["access-control-allow-origin"]).toBe("https://second.example");
      for (const origin of [EVIL, `${ALLOWED}.evil.example`, "http://app.example", "null"]) {
        const refused = await preflight(open.app, origin);
        expect(refused.headers["access-control-allow-origin"], origin).toBeUndefined();
        const answer = await open.app.inject({ method: "GET", url: user.tasksUrl, headers: { ...user.bearer, origin } });
        expect(answer.headers["access-control-allow-origin"], origin).toBeUndefined();
      }
    } finally {
      await open.close();
    }
  });

  it("CORS_ORIGINS must be absolute http(s) origins", () => {
    expect(() => parseConfig({ CORS_ORIGINS: "https://ok.example, *" })).toThrow(/^CORS_ORIGINS /);
    expect(() => parseConfig({ CORS_ORIGINS: "ftp://x.example" })).toThrow(/^CORS_ORIGINS must use http or https/);
    expect(parseConfig({}).corsOrigins).toEqual([]);
  });
});
