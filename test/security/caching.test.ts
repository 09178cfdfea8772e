import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../app.js";
import { signUp, type TestUser } from "../users.js";

/** Private answers must not be kept by a browser's cache or a shared proxy (finding 11). */
let t: TestApp;
let user: TestUser;

beforeAll(async () => {
  t = await buildTestApp();
  user = await signUp(t.app, "Cached");
});
afterAll(() => t.close());

describe("caching", () => {
  it("every answer under /api/ is Cache-Control: no-store: tasks, Better Auth's routes (the token included) and errors", async () => {
    const requests = [
      { method: "GET" as const, url: user.tasksUrl, headers: user.bearer },
      { method: "POST" as const, url: user.tasksUrl, headers: user.bearer, payload: { title: "Private" } },
      { method: "GET" as const, url: `${user.tasksUrl}/counts`, headers: user.bearer },
      { method: "GET" as const, url: "/api/auth/token", headers: { cookie: user.cookie } },
      { method: "GET" as const, url: "/api/auth/get-session", headers: { cookie: user.cookie } },
      { method: "GET" as const, url: "/api/auth/jwks" },
      {
        method: "POST" as const,
        url: "/api/auth/sign-in/email",
        headers: { origin: TEST_ORIGIN },
        payload: { email: user.email, password: "wrong password!" },
      },
      { method: "GET" as const, url: user.tasksUrl },
      { method: "GET" as const, url: "/api/someone-else/tasks", headers: user.bearer },
      { method: "GET" as const, url: `${user.tasksUrl}?cursor=forged`, headers: user.bearer },
      { method: "GET" as const, url: "/api/nowhere" },
      { method: "POST" as const, url: user.tasksUrl, headers: { ...user.bearer, "content-type": "application/json" }, payload: "{" },
    ];
    const statuses = new Set<number>();
    for (const request of requests) {
      const response = await t.app.inject(request);
      statuses.add(response.statusCode);
      expect(response.headers["cache-control"], `${request.method} ${request.url} (${response.statusCode})`).toBe("no-store");
    }
    expect([...statuses].sort()).toEqual([200, 201, 400, 401, 403, 404]);
  });

  it("pages outside /api/ keep their own caching", async () => {
    expect((await t.app.inject({ method: "GET", url: "/healthz" })).headers["cache-control"]).toBeUndefined();
  });
});
