import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, TEST_SECRET, type TestApp } from "../../../test/app.js";
import { createTask as createTaskAs } from "../../../test/tasks.js";
import { signUp, type TestUser } from "../../../test/users.js";
import { buildApp } from "../app.js";
import { jwks, task, user as userTable } from "../db/schema/index.js";
import { createLogger } from "../logger.js";

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const PASSWORD = "correct horse battery staple";
const MISSING_TASK_ID = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";

const newEmail = () => `user-${randomUUID()}@example.com`;

function inject(options: InjectOptions): Promise<LightMyRequestResponse> {
  return t.app.inject(options);
}

function signUpRequest(payload: Record<string, unknown>) {
  return inject({ method: "POST", url: "/api/auth/sign-up/email", headers: { origin: TEST_ORIGIN }, payload });
}

function signInRequest(email: string, password: string) {
  return inject({ method: "POST", url: "/api/auth/sign-in/email", headers: { origin: TEST_ORIGIN }, payload: { email, password } });
}

/** The session cookie a response sets, as a Cookie header value. */
function sessionCookieOf(response: LightMyRequestResponse): string {
  const cookies = [response.headers["set-cookie"] ?? []].flat();
  const session = cookies.find((cookie) => cookie.startsWith("better-auth.session_token="));
  expect(session, `no session cookie in ${JSON.stringify(cookies)}`).toBeDefined();
  return session!.split(";", 1)[0]!;
}

/** An error in the task API's envelope, with exactly this status and code. */
function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect({ status: response.statusCode, body: response.json() }).toEqual({
    status,
    body: { success: false, error: { code, message: expect.any(String) } },
  });
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
}

function listWith(owner: TestUser, headers: Record<string, string>) {
  return inject({ method: "GET", url: owner.tasksUrl, headers });
}

const createTask = (owner: TestUser, title = "Owner's task") => createTaskAs(t.app, owner, { title });

/** Every task route of one owner's path: list, create, read, replace, update, toggle, delete. */
function everyTaskRoute(tasksUrl: string, taskId: string): InjectOptions[] {
  const one = `${tasksUrl}/${taskId}`;
  return [
    { method: "GET", url: tasksUrl },
    { method: "POST", url: tasksUrl, payload: { title: "Planted" } },
    { method: "GET", url: one },
    { method: "PUT", url: one, payload: { title: "Hijacked" } },
    { method: "PATCH", url: one, payload: { title: "Hijacked", completed: true } },
    { method: "PATCH", url: `${one}/complete` },
    { method: "DELETE", url: one },
  ];
}

function withHeaders(route: InjectOptions, headers: Record<string, string>): InjectOptions {
  return { ...route, headers: { ...(route.headers as Record<string, string> | undefined), ...headers } };
}

/** Sends every route with these headers; each must answer this status and code (the route is named on failure). */
async function expectEveryRoute(routes: InjectOptions[], headers: Record<string, string>, status: number, code: string) {
  for (const route of routes) {
    const response = await inject(withHeaders(route, headers));
    expect({ route: `${route.method} ${route.url}`, status: response.statusCode }).toEqual({
      route: `${route.method} ${route.url}`,
      status,
    });
    expectError(response, status, code);
  }
}

function usersWithEmail(email: string) {
  return t.app.database.db.select({ id: userTable.id }).from(userTable).where(eq(userTable.email, email));
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe("accounts", () => {
  it("signs up with email and password: Better Auth's user, a session cookie, and no password in the answer", async () => {
    const email = newEmail();
    const response = await signUpRequest({ name: "Carol", email, password: PASSWORD });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ token: expect.any(String), user: { id: expect.any(String), email, name: "Carol" } });
    expect(response.body).not.toContain(PASSWORD);
    const setCookie = [response.headers["set-cookie"] ?? []].flat().find((c) => c.startsWith("better-auth.session_token="));
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/i);

    const session = await inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: sessionCookieOf(response) } });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ user: { id: body.user.id, email, name: "Carol" }, session: { userId: body.user.id } });
  });

  it("signs in with the right password and the new session names the same user", async () => {
    const owner = await signUp(t.app);
    const response = await signInRequest(owner.email, owner.password);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ token: expect.any(String), user: { id: owner.id, email: owner.email } });
    const cookie = sessionCookieOf(response);
    expect(cookie).not.toBe(owner.cookie);

    const session = await inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie } });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toMatchObject({ user: { id: owner.id } });
    expect((await listWith(owner, { cookie })).statusCode).toBe(200);
  });

  it("get-session without a cookie answers null", async () => {
    const response = await inject({ method: "GET", url: "/api/auth/get-session" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toBeNull();
  });

  it("sign-out ends the session: get-session answers null and the task API refuses the cookie", async () => {
    const owner = await signUp(t.app);
    expect((await listWith(owner, { cookie: owner.cookie })).statusCode).toBe(200);

    const response = await inject({ method: "POST", url: "/api/auth/sign-out", headers: { cookie: owner.cookie, origin: TEST_ORIGIN } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true });

    const session = await inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: owner.cookie } });
    expect(session.statusCode).toBe(200);
    expect(session.json()).toBeNull();
    expectError(await listWith(owner, { cookie: owner.cookie }), 401, "UNAUTHORIZED");
  });

  it("sign-up with an email already in use is refused and the existing account keeps its password", async () => {
    const owner = await signUp(t.app);
    const again = await signUpRequest({ name: "Impostor", email: owner.email, password: "another password 123" });
    expect(again.statusCode).toBe(422);
    expect(again.json()).toMatchObject({ code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" });
    expect(again.headers["set-cookie"]).toBeUndefined();

    expect((await signInRequest(owner.email, "another password 123")).statusCode).toBe(401);
    expect((await signInRequest(owner.email, owner.password)).statusCode).toBe(200);
  });

  it("sign-up with the same email in other letter case is refused too", async () => {
    const owner = await signUp(t.app);
    const again = await signUpRequest({ name: "Impostor", email: owner.email.toUpperCase(), password: "another password 123" });
    expect(again.statusCode).toBe(422);
    expect(again.json()).toMatchObject({ code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" });
  });

  it("sign-in with a wrong password is refused without a session", async () => {
    const owner = await signUp(t.app);
    const response = await signInRequest(owner.email, "not the password");
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ code: "INVALID_EMAIL_OR_PASSWORD", message: expect.any(String) });
    expect(response.headers["set-cookie"]).toBeUndefined();
  });

  it("an unknown email and a wrong password get the same status and the same message", async () => {
    const owner = await signUp(t.app);
    const wrongPassword = await signInRequest(owner.email, "not the password");
    const unknownEmail = await signInRequest(newEmail(), "not the password");
    expect(unknownEmail.statusCode).toBe(401);
    expect(unknownEmail.statusCode).toBe(wrongPassword.statusCode);
    expect(unknownEmail.json()).toEqual(wrongPassword.json());
  });

  it("a password shorter than 8 characters is refused and no account is created", async () => {
    const email = newEmail();
    const response = await signUpRequest({ name: "Short", email, password: "1234567" });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: "PASSWORD_TOO_SHORT" });
    expect(await usersWithEmail(email)).toEqual([]);
  });

  it("a password longer than 128 characters is refused and no account is created", async () => {
    const email = newEmail();
    const password = "x".repeat(129);
    const response = await signUpRequest({ name: "Long", email, password });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: "PASSWORD_TOO_LONG" });
    expect(await usersWithEmail(email)).toEqual([]);
  });

  it("passwords of exactly 8 and exactly 128 characters are accepted", async () => {
    // Hard enough to guess (account-rules.test.ts refuses common ones such as "12345678").
    const long = `${"correct horse battery staple, ".repeat(5).slice(0, 120)}kq7#Vm2z`;
    for (const password of ["kq7#Vm2z", long]) {
      const email = newEmail();
      expect((await signUpRequest({ name: "Edge", email, password })).statusCode).toBe(200);
      expect((await signInRequest(email, password)).statusCode).toBe(200);
    }
  });
});

describe("JWT", () => {
  it("GET /api/auth/token without a session is refused", async () => {
    const response = await inject({ method: "GET", url: "/api/auth/token" });
    expect(response.statusCode).toBe(401);
  });

  it("the token carries only sub, sid, iat, exp, iss and aud; sub is the user id, sid its session; it lives 15 minutes", async () => {
    const owner = await signUp(t.app);
    const payload = decodeJwt(owner.token);
    expect(Object.keys(payload).sort()).toEqual(["aud", "exp", "iat", "iss", "sid", "sub"]);
    expect(payload.sub).toBe(owner.id);
    const session = await inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: owner.cookie } });
    expect(payload.sid).toBe(session.json().session.id);
    expect(payload.iss).toBe(TEST_ORIGIN);
    expect(payload.aud).toBe(TEST_ORIGIN);
    expect(payload.exp! - payload.iat!).toBe(15 * 60);
    expect(Math.abs(payload.iat! - nowSeconds())).toBeLessThan(60);
  });

  it("the token is signed with EdDSA under a key id published at /api/auth/jwks, which holds no private key", async () => {
    const owner = await signUp(t.app);
    const header = decodeProtectedHeader(owner.token);
    expect(header.alg).toBe("EdDSA");
    expect(header.kid).toEqual(expect.any(String));

    const response = await inject({ method: "GET", url: "/api/auth/jwks" });
    expect(response.statusCode).toBe(200);
    const { keys } = response.json<{ keys: Record<string, unknown>[] }>();
    const key = keys.find((candidate) => candidate.kid === header.kid);
    expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", x: expect.any(String) });
    for (const published of keys) expect(published).not.toHaveProperty("d");
  });
});

describe("credentials on the task API", () => {
  let alice: TestUser;

  beforeAll(async () => {
    alice = await signUp(t.app, "Alice");
  });

  it("a bearer JWT from /api/auth/token is accepted", async () => {
    const response = await listWith(alice, alice.bearer);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ success: true, data: [] });
  });

  it("the session cookie is accepted", async () => {
    const response = await listWith(alice, { cookie: alice.cookie });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ success: true, data: [] });
  });

  it("no credentials is a 401", async () => {
    expectError(await listWith(alice, {}), 401, "UNAUTHORIZED");
  });

  it("an Authorization header with the Basic scheme is a 401", async () => {
    const basic = `Basic ${Buffer.from(`${alice.email}:${alice.password}`).toString("base64")}`;
    expectError(await listWith(alice, { authorization: basic }), 401, "UNAUTHORIZED");
  });

  it("'Bearer' with no token is a 401", async () => {
    expectError(await listWith(alice, { authorization: "Bearer" }), 401, "UNAUTHORIZED");
    expectError(await listWith(alice, { authorization: "Bearer " }), 401, "UNAUTHORIZED");
  });

  it("a bearer token with trailing junk after a space is a 401", async () => {
    expectError(await listWith(alice, { authorization: `Bearer ${alice.token} extra` }), 401, "UNAUTHORIZED");
  });

  it("a key created after start (by another instance on the same database) is picked up", async () => {
    const first = await buildTestApp();
    try {
      const owner = await signUp(first.app);
      const oldKid = decodeProtectedHeader(owner.token).kid;
      expect((await first.app.inject({ method: "GET", url: owner.tasksUrl, headers: owner.bearer })).statusCode).toBe(200);

      // A second instance shares the database (but must not close it) and rotates the keys:
      // the old key pair is removed, and its first token creates a new one.
      const second = await buildApp(first.config, {
        database: { ...first.app.database, close: async () => {} },
        secret: TEST_SECRET,
        logger: createLogger("silent"),
      });
      try {
        await first.app.database.db.delete(jwks);
        const signIn = await second.inject({
          method: "POST",
          url: "/api/auth/sign-in/email",
          headers: { origin: TEST_ORIGIN },
          payload: { email: owner.email, password: owner.password },
        });
        expect(signIn.statusCode).toBe(200);
        const tokenResponse = await second.inject({ method: "GET", url: "/api/auth/token", headers: { cookie: sessionCookieOf(signIn) } });
        expect(tokenResponse.statusCode).toBe(200);
        const token = tokenResponse.json<{ token: string }>().token;
        expect(decodeProtectedHeader(token).kid).not.toBe(oldKid);

        const response = await first.app.inject({ method: "GET", url: owner.tasksUrl, headers: { authorization: `Bearer ${token}` } });
        expect(response.statusCode).toBe(200);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  });
});

describe("ownership", () => {
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    alice = await signUp(t.app, "Alice");
    bob = await signUp(t.app, "Bob");
  });

  it("no credentials is a 401 even on another user's path, for every task route", async () => {
    const bobsTask = await createTask(bob);
    await expectEveryRoute(everyTaskRoute(bob.tasksUrl, bobsTask.id), {}, 401, "UNAUTHORIZED");
  });

  it("a user cannot use another user's path: 403 for every task route with a bearer token", async () => {
    const bobsTask = await createTask(bob);
    await expectEveryRoute(everyTaskRoute(bob.tasksUrl, bobsTask.id), alice.bearer, 403, "FORBIDDEN");
  });

  it("a user cannot use another user's path: 403 for every task route with a session cookie", async () => {
    const bobsTask = await createTask(bob);
    await expectEveryRoute(everyTaskRoute(bob.tasksUrl, bobsTask.id), { cookie: alice.cookie, origin: TEST_ORIGIN }, 403, "FORBIDDEN");
  });

  it("another user's path is a 403 before the body is judged", async () => {
    const response = await inject({ method: "POST", url: bob.tasksUrl, headers: alice.bearer, payload: { nonsense: true } });
    expectError(response, 403, "FORBIDDEN");
  });

  it("a user cannot read, change or delete another user's task: it answers exactly like a missing one", async () => {
    const bobsTask = await createTask(bob, "Bob's secret plan");
    const aliceRoutes = (taskId: string) => everyTaskRoute(alice.tasksUrl, taskId).filter((route) => String(route.url).includes(taskId));

    const foreign = aliceRoutes(bobsTask.id);
    const missing = aliceRoutes(MISSING_TASK_ID);
    expect(foreign.map((route) => route.method)).toEqual(["GET", "PUT", "PATCH", "PATCH", "DELETE"]);
    for (const [index, route] of foreign.entries()) {
      const forBobs = await inject(withHeaders(route, alice.bearer));
      const forMissing = await inject(withHeaders(missing[index]!, alice.bearer));
      const label = `${route.method} ${route.url}`;
      expectError(forBobs, 404, "NOT_FOUND");
      expect({ label, status: forBobs.statusCode, body: forBobs.json() }).toEqual({
        label,
        status: forMissing.statusCode,
        body: forMissing.json(),
      });
      expect(forBobs.body).not.toContain("Bob's secret plan");
    }

    const readBack = await inject({ method: "GET", url: `${bob.tasksUrl}/${bobsTask.id}`, headers: bob.bearer });
    expect(readBack.statusCode).toBe(200);
    expect(readBack.json().data).toEqual(bobsTask);
  });

  it("a user's writes to another user's path leave that user's tasks untouched", async () => {
    const carol = await signUp(t.app, "Carol");
    const carolsTask = await createTask(carol, "Carol's only task");
    for (const route of everyTaskRoute(carol.tasksUrl, carolsTask.id)) {
      await inject(withHeaders(route, alice.bearer));
    }
    const list = await inject({ method: "GET", url: carol.tasksUrl, headers: carol.bearer });
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toEqual([carolsTask]);
  });
});

describe("cookie-authenticated writes", () => {
  let owner: TestUser;

  beforeAll(async () => {
    owner = await signUp(t.app, "Cookie Owner");
  });

  const postWithCookie = (headers: Record<string, string>) =>
    inject({ method: "POST", url: owner.tasksUrl, headers: { cookie: owner.cookie, ...headers }, payload: { title: "From a browser" } });

  it("a cookie write from a foreign Origin is a 403", async () => {
    expectError(await postWithCookie({ origin: "http://evil.example" }), 403, "FORBIDDEN");
  });

  it("a cookie write with neither Origin nor Referer is a 403", async () => {
    expectError(await postWithCookie({}), 403, "FORBIDDEN");
  });

  it("a cookie write with Origin null is a 403", async () => {
    expectError(await postWithCookie({ origin: "null" }), 403, "FORBIDDEN");
  });

  it("a cookie write with a foreign Referer and no Origin is a 403", async () => {
    expectError(await postWithCookie({ referer: "http://evil.example/page" }), 403, "FORBIDDEN");
  });

  it("a cookie write from an origin that only looks like the app's is a 403", async () => {
    expectError(await postWithCookie({ origin: "http://localhost:8000.evil.example" }), 403, "FORBIDDEN");
    expectError(await postWithCookie({ origin: "http://localhost:8001" }), 403, "FORBIDDEN");
    expectError(await postWithCookie({ origin: "https://localhost:8000" }), 403, "FORBIDDEN");
  });

  it("a cookie write from the app's own origin is accepted", async () => {
    const response = await postWithCookie({ origin: TEST_ORIGIN });
    expect(response.statusCode).toBe(201);
    expect(response.json().data).toMatchObject({ title: "From a browser", user_id: owner.id });
  });

  it("a cookie write from http://127.0.0.1:8000 is accepted", async () => {
    expect((await postWithCookie({ origin: "http://127.0.0.1:8000" })).statusCode).toBe(201);
  });

  it("a cookie write with the app's own Referer and no Origin is accepted", async () => {
    expect((await postWithCookie({ referer: `${TEST_ORIGIN}/tasks` })).statusCode).toBe(201);
  });

  it("a cookie read needs no Origin", async () => {
    const response = await inject({ method: "GET", url: owner.tasksUrl, headers: { cookie: owner.cookie } });
    expect(response.statusCode).toBe(200);
  });

  it("a cookie delete from a foreign Origin is a 403 and the task survives", async () => {
    const created = await createTask(owner, "Keep me");
    const url = `${owner.tasksUrl}/${created.id}`;
    for (const method of ["PUT", "PATCH", "DELETE"] as const) {
      const response = await inject({
        method,
        url,
        headers: { cookie: owner.cookie, origin: "http://evil.example" },
        ...(method === "DELETE" ? {} : { payload: { title: "Changed" } }),
      });
      expectError(response, 403, "FORBIDDEN");
    }
    const toggle = await inject({ method: "PATCH", url: `${url}/complete`, headers: { cookie: owner.cookie, origin: "http://evil.example" } });
    expectError(toggle, 403, "FORBIDDEN");

    const readBack = await inject({ method: "GET", url, headers: owner.bearer });
    expect(readBack.statusCode).toBe(200);
    expect(readBack.json().data).toEqual(created);
  });

  it("bearer writes need no Origin", async () => {
    const response = await inject({ method: "POST", url: owner.tasksUrl, headers: owner.bearer, payload: { title: "From a script" } });
    expect(response.statusCode).toBe(201);
  });
});

describe("a deleted user", () => {
  async function expectAccountGone(gone: TestUser, taskId: string) {
    // The bearer token is still within its 15 minutes.
    expect(decodeJwt(gone.token).exp! > nowSeconds()).toBe(true);
    await expectEveryRoute(everyTaskRoute(gone.tasksUrl, taskId), gone.bearer, 401, "UNAUTHORIZED");
    expectError(await listWith(gone, { cookie: gone.cookie }), 401, "UNAUTHORIZED");
    const write = await inject({
      method: "POST",
      url: gone.tasksUrl,
      headers: { cookie: gone.cookie, origin: TEST_ORIGIN },
      payload: { title: "x" },
    });
    expectError(write, 401, "UNAUTHORIZED");

    const rows = await t.app.database.db.select().from(task).where(eq(task.userId, gone.id));
    expect(rows).toEqual([]);
  }

  it("a user deleted from the database loses access with a still-valid token and the cookie, and their tasks are gone", async () => {
    const gone = await signUp(t.app, "Doomed");
    const doomed = await createTask(gone, "Doomed task");
    await createTask(gone, "Another doomed task");
    const survivor = await signUp(t.app, "Survivor");
    const kept = await createTask(survivor, "Survivor's task");

    await t.app.database.db.delete(userTable).where(eq(userTable.id, gone.id));

    await expectAccountGone(gone, doomed.id);
    const list = await inject({ method: "GET", url: survivor.tasksUrl, headers: survivor.bearer });
    expect(list.json().data).toEqual([kept]);
  });

  it("a user deleted through /api/auth/delete-user loses access with a still-valid token and the cookie, and their tasks are gone", async () => {
    const gone = await signUp(t.app, "Leaver");
    const leaving = await createTask(gone, "Leaving task");

    const response = await inject({
      method: "POST",
      url: "/api/auth/delete-user",
      headers: { cookie: gone.cookie, origin: TEST_ORIGIN },
      payload: { password: gone.password },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ success: true });

    await expectAccountGone(gone, leaving.id);
    expect((await signInRequest(gone.email, gone.password)).statusCode).toBe(401);
  });

  it("delete-user with a wrong password deletes nothing", async () => {
    const owner = await signUp(t.app, "Careful");
    const kept = await createTask(owner, "Still here");
    const response = await inject({
      method: "POST",
      url: "/api/auth/delete-user",
      headers: { cookie: owner.cookie, origin: TEST_ORIGIN },
      payload: { password: "not the password" },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: "INVALID_PASSWORD" });
    expect(await usersWithEmail(owner.email)).toEqual([{ id: owner.id }]);
    const readBack = await inject({ method: "GET", url: `${owner.tasksUrl}/${kept.id}`, headers: owner.bearer });
    expect(readBack.statusCode).toBe(200);
  });
});

describe("logs", () => {
  it("secrets are never logged: no password, session cookie, session token, JWT or 'Bearer '", async () => {
    const password = `log-probe ${randomUUID()}`;
    const email = newEmail();
    const signUpResponse = await signUpRequest({ name: "Logged", email, password });
    expect(signUpResponse.statusCode).toBe(200);
    const userId = signUpResponse.json<{ user: { id: string } }>().user.id;
    const signUpToken = signUpResponse.json<{ token: string }>().token;

    const signInResponse = await signInRequest(email, password);
    expect(signInResponse.statusCode).toBe(200);
    const cookie = sessionCookieOf(signInResponse);
    const signInToken = signInResponse.json<{ token: string }>().token;
    expect((await signInRequest(email, `${password} wrong`)).statusCode).toBe(401);

    const tokenResponse = await inject({ method: "GET", url: "/api/auth/token", headers: { cookie } });
    expect(tokenResponse.statusCode).toBe(200);
    const jwt = tokenResponse.json<{ token: string }>().token;

    const tasksUrl = `/api/${userId}/tasks`;
    const requests: InjectOptions[] = [
      { method: "POST", url: tasksUrl, headers: { authorization: `Bearer ${jwt}` }, payload: { title: "Logged task" } },
      { method: "GET", url: tasksUrl, headers: { authorization: `Bearer ${jwt}` } },
      { method: "GET", url: tasksUrl, headers: { cookie } },
      { method: "POST", url: tasksUrl, headers: { cookie, origin: TEST_ORIGIN }, payload: { title: "Cookie task" } },
      { method: "POST", url: tasksUrl, headers: { cookie, origin: "http://evil.example" }, payload: { title: "Refused" } },
      { method: "GET", url: tasksUrl, headers: { authorization: `Bearer ${jwt}x` } },
      { method: "GET", url: "/api/nope", headers: { authorization: `Bearer ${jwt}` } },
    ];
    const requestIds: string[] = [];
    for (const request of requests) requestIds.push(String((await inject(request)).headers["x-request-id"]));

    // The check is only meaningful if these requests were logged at all.
    for (const id of requestIds) expect(t.logs.some((line) => line.includes(id))).toBe(true);

    const cookieValue = cookie.slice(cookie.indexOf("=") + 1);
    const secrets = {
      password,
      cookieValue,
      decodedCookieValue: decodeURIComponent(cookieValue),
      signUpToken,
      signInToken,
      jwt,
      jwtSignature: jwt.split(".")[2]!,
    };
    for (const [name, secret] of Object.entries(secrets)) {
      const leaking = t.logs.filter((line) => line.includes(secret));
      expect({ name, leaking }).toEqual({ name, leaking: [] });
    }
    expect(t.logs.filter((line) => line.includes("Bearer "))).toEqual([]);
  });
});

describe("a crash inside an account route", () => {
  it("is a 500 in the envelope, logged without the password or the email, and leaves no half-made account", async () => {
    const broken = await buildTestApp();
    try {
      // Sign-up inserts the user, then the account, then the session: make the last step fail.
      await broken.app.database.db.execute(sql`ALTER TABLE "session" RENAME TO "session_gone"`);
      const email = newEmail();
      const signUpBody = { name: "Unlucky", email, password: PASSWORD };
      const failed = await broken.app.inject({
        method: "POST",
        url: "/api/auth/sign-up/email",
        headers: { origin: TEST_ORIGIN },
        payload: signUpBody,
      });
      expect(failed.statusCode).toBe(500);
      expect(failed.json()).toEqual({ success: false, error: { code: "INTERNAL_ERROR", message: expect.any(String) } });

      const logged = broken.logs.join("\n");
      expect(logged).toContain(String(failed.headers["x-request-id"]));
      expect(logged).toContain("42P01");
      expect(logged).not.toContain(PASSWORD);
      expect(logged).not.toContain(email);

      await broken.app.database.db.execute(sql`ALTER TABLE "session_gone" RENAME TO "session"`);
      const retried = await broken.app.inject({
        method: "POST",
        url: "/api/auth/sign-up/email",
        headers: { origin: TEST_ORIGIN },
        payload: signUpBody,
      });
      expect(retried.statusCode, "the failed sign-up left a user behind").toBe(200);
    } finally {
      await broken.close();
    }
  });
});
