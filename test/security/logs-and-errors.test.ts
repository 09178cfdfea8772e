import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN } from "../app.js";
import { createTask } from "../tasks.js";
import { signUp } from "../users.js";
import { expectEnvelope, fromRandomAddresses } from "./actors.js";

/** Security logging and error handling (OWASP API8 and API10's "what the server says back"). */

function cookieOf(response: LightMyRequestResponse): string {
  const cookie = [response.headers["set-cookie"] ?? []].flat().find((value) => value.includes("session_token="));
  expect(cookie).toBeDefined();
  return cookie!.split(";", 1)[0]!;
}

describe("logs", () => {
  it("at the most verbose level, a whole session leaves no password, cookie, token or Authorization value in the log", {
    timeout: 60_000,
  }, async () => {
    const t = await buildTestApp({ LOG_LEVEL: "trace" });
    try {
      const password = `log probe ${randomUUID()}`;
      const email = `logged-${randomUUID()}@example.com`;
      const auth = (url: string, payload: object, headers: Record<string, string> = {}) =>
        t.app.inject({ method: "POST", url, headers: { origin: TEST_ORIGIN, ...headers }, payload });
      const signUpResponse = await auth("/api/auth/sign-up/email", { name: "Logged", email, password });
      const userId = signUpResponse.json().user.id as string;
      const signIn = await auth("/api/auth/sign-in/email", { email, password });
      await auth("/api/auth/sign-in/email", { email, password: `${password}!` });
      const cookie = cookieOf(signIn);
      const token = (await t.app.inject({ method: "GET", url: "/api/auth/token", headers: { cookie } })).json().token as string;
      const bearer = { authorization: `Bearer ${token}` };
      const tasksUrl = `/api/${userId}/tasks`;
      const requests: InjectOptions[] = [
        { method: "POST", url: tasksUrl, headers: bearer, payload: { title: "Logged" } },
        { method: "GET", url: `${tasksUrl}?q=secret`, headers: bearer },
        { method: "GET", url: tasksUrl, headers: { cookie } },
        { method: "GET", url: tasksUrl, headers: { authorization: `Bearer ${token}tampered` } },
        { method: "GET", url: tasksUrl, headers: { authorization: `Basic ${Buffer.from(`${email}:${password}`).toString("base64")}` } },
        { method: "POST", url: tasksUrl, headers: { cookie, origin: "https://evil.example" }, payload: { title: "x" } },
        { method: "GET", url: "/api/auth/get-session", headers: { cookie } },
      ];
      for (const request of requests) await t.app.inject(request);
      await auth("/api/auth/delete-user", { password }, { cookie });

      // At least the line of each of the 12 requests above.
      expect(t.logs.length).toBeGreaterThanOrEqual(12);
      expect(t.logs.some((line) => line.includes(tasksUrl))).toBe(true);
      const cookieValue = cookie.slice(cookie.indexOf("=") + 1);
      const secrets = {
        password,
        cookieValue,
        sessionToken: decodeURIComponent(cookieValue).split(".")[0]!,
        token,
        tokenSignature: token.split(".")[2]!,
        basic: Buffer.from(`${email}:${password}`).toString("base64"),
        signUpToken: signUpResponse.json().token as string,
      };
      for (const [name, secret] of Object.entries(secrets)) {
        expect({ name, leaking: t.logs.filter((line) => line.includes(secret)) }).toEqual({ name, leaking: [] });
      }
      expect(t.logs.filter((line) => /Bearer |Basic |"authorization"|"cookie"\s*:\s*"[^[]/i.test(line))).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

describe("request URLs in logs", () => {
  it("are logged without their query string: neither the search text (q=) nor a cursor reaches the log", { timeout: 60_000 }, async () => {
    const t = await buildTestApp();
    try {
      const user = await signUp(t.app, "Searcher");
      for (const title of ["Diagnosis: private matter", "Diagnosis: second opinion"]) await createTask(t.app, user, { title });
      const search = `${user.tasksUrl}?q=Diagnosis&limit=1&sort=title`;
      const first = await t.app.inject({ method: "GET", url: search, headers: user.bearer });
      const cursor = first.json().meta.next_cursor as string;
      expect(cursor).toEqual(expect.any(String));
      const second = await t.app.inject({ method: "GET", url: `${search}&cursor=${cursor}`, headers: user.bearer });
      expect(second.statusCode).toBe(200);

      const lines = t.logs.filter((line) => line.includes(user.tasksUrl));
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.filter((line) => line.includes(`"url":"${user.tasksUrl}?[redacted]"`)).length).toBeGreaterThanOrEqual(2);
      expect(t.logs.filter((line) => /q=|Diagnosis|cursor=/.test(line) || line.includes(cursor))).toEqual([]);
    } finally {
      await t.close();
    }
  });
});

const LEAKS: [string, RegExp][] = [
  ["a stack frame", /\bat .+:\d+:\d+|\bstack\b/i],
  ["SQL text", /\b(select|insert into|update|delete from)\b[^"]*\b(from|values|set|where)\b|\bsyntax error\b|\bcolumn\b|\brelation\b|params:/i],
  ["a file path", /(\/[\w.-]+){2,}\.(ts|js|mjs|cjs)\b|node_modules|\/work\/|\/home\//],
  ["an error class", /\b(TypeError|RangeError|DatabaseError|DrizzleQueryError|error: )/],
];

function expectNoLeak(response: LightMyRequestResponse, label: string) {
  for (const [what, pattern] of LEAKS) expect(response.body, `${label}: ${what} in ${response.body}`).not.toMatch(pattern);
}

describe("errors in production mode", () => {
  it("client errors (400, 401, 403, 404, 405, 413, 415, 422) and account refusals say nothing of the inside", { timeout: 60_000 }, async () => {
    const t = await buildTestApp({ NODE_ENV: "production" });
    const app = fromRandomAddresses(t.app);
    try {
      const user = await signUp(app, "Prod");
      const task = await createTask(app, user, { title: "Prod task" });
      const json = { ...user.bearer, "content-type": "application/json" };
      const requests: [number, InjectOptions][] = [
        [400, { method: "POST", url: user.tasksUrl, headers: json, payload: '{"title": "unterminated' }],
        [400, { method: "GET", url: `${user.tasksUrl}?cursor=${"A".repeat(40)}`, headers: user.bearer }],
        [401, { method: "GET", url: user.tasksUrl, headers: { authorization: "Bearer a.b.c" } }],
        [403, { method: "GET", url: "/api/someone-else/tasks", headers: user.bearer }],
        [404, { method: "GET", url: `${user.tasksUrl}/${randomUUID()}`, headers: user.bearer }],
        [404, { method: "GET", url: "/api/../../etc/passwd" }],
        [405, { method: "POST", url: `${user.tasksUrl}/${task.id}`, headers: user.bearer }],
        [413, { method: "POST", url: user.tasksUrl, headers: json, payload: JSON.stringify({ title: "x".repeat(70_000) }) }],
        [415, { method: "POST", url: user.tasksUrl, headers: { ...user.bearer, "content-type": "text/xml" }, payload: "<x/>" }],
        [422, { method: "PATCH", url: `${user.tasksUrl}/not-a-uuid`, headers: user.bearer, payload: { title: 5 } }],
      ];
      for (const [status, request] of requests) {
        const response = await app.inject(request);
        expectEnvelope(response, status, undefined, `${request.method} ${request.url}`);
        expectNoLeak(response, `${status} ${request.url}`);
      }
      for (const payload of ['{"email": 5}', "{", '{"email":"a@b.c","password":"x"}']) {
        const response = await app.inject({
          method: "POST",
          url: "/api/auth/sign-in/email",
          headers: { origin: TEST_ORIGIN, "content-type": "application/json" },
          payload,
        });
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expectNoLeak(response, `sign-in ${payload}`);
      }
    } finally {
      await t.close();
    }
  });

  it("a failing query (a column gone) is a 500 with a generic message, on the task API and on the account routes", { timeout: 60_000 }, async () => {
    const t = await buildTestApp({ NODE_ENV: "production" });
    const app = fromRandomAddresses(t.app);
    try {
      const user = await signUp(app, "Broken");
      await t.app.database.db.execute(sql`ALTER TABLE task RENAME COLUMN title TO title_gone`);
      await t.app.database.db.execute(sql`ALTER TABLE "account" RENAME COLUMN password TO password_gone`);
      const requests: InjectOptions[] = [
        { method: "GET", url: user.tasksUrl, headers: user.bearer },
        { method: "POST", url: user.tasksUrl, headers: user.bearer, payload: { title: "Into the void" } },
      ];
      for (const request of requests) {
        const response = await app.inject(request);
        expectEnvelope(response, 500, "INTERNAL_ERROR", `${request.method} ${request.url}`);
        expectNoLeak(response, `500 ${request.method}`);
      }
      const signIn = await app.inject({
        method: "POST",
        url: "/api/auth/sign-in/email",
        headers: { origin: TEST_ORIGIN },
        payload: { email: user.email, password: user.password },
      });
      expect(signIn.statusCode).toBe(500);
      expectNoLeak(signIn, "500 sign-in");
      // The log has what the body does not: the operator can find the cause by the request id.
      expect(t.logs.some((line) => line.includes(String(signIn.headers["x-request-id"])) && line.includes('"level":50'))).toBe(true);
    } finally {
      await t.close();
    }
  });

  it("a closed database is a 503 with Retry-After and nothing of the driver's message", { timeout: 60_000 }, async () => {
    const t = await buildTestApp({ NODE_ENV: "production" });
    const app = fromRandomAddresses(t.app);
    const user = await signUp(app, "Stranded");
    await t.app.database.close();
    try {
      for (const request of [
        { method: "GET" as const, url: user.tasksUrl, headers: user.bearer },
        {
          method: "POST" as const,
          url: "/api/auth/sign-in/email",
          headers: { origin: TEST_ORIGIN },
          payload: { email: user.email, password: user.password },
        },
        { method: "GET" as const, url: "/readyz" },
      ]) {
        const response = await app.inject(request);
        expectEnvelope(response, 503, "SERVICE_UNAVAILABLE", request.url);
        expectNoLeak(response, `503 ${request.url}`);
      }
    } finally {
      // The database is already closed; closing it again may reject.
      await t.close().catch(() => {});
    }
  });
});
