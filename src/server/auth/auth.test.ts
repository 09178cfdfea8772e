import { afterAll, beforeAll, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../../../test/app.js";
import { signUp } from "../../../test/users.js";

let t: TestApp;
beforeAll(async () => { t = await buildTestApp(); });
afterAll(() => t.close());

it("explore", async () => {
  const u = await signUp(t.app);
  const show = (label: string, r: { statusCode: number; headers: Record<string, unknown>; body: string }) =>
    console.log(label, r.statusCode, JSON.stringify(r.headers), r.body.slice(0, 400));
  show("dup", await t.app.inject({ method: "POST", url: "/api/auth/sign-up/email", headers: { origin: TEST_ORIGIN }, payload: { name: "x", email: u.email, password: "another password" } }));
  show("dupnoorigin", await t.app.inject({ method: "POST", url: "/api/auth/sign-up/email", payload: { name: "x", email: "a"+u.email, password: "another password" } }));
  show("short", await t.app.inject({ method: "POST", url: "/api/auth/sign-up/email", headers: { origin: TEST_ORIGIN }, payload: { name: "x", email: "b"+u.email, password: "1234567" } }));
  show("long", await t.app.inject({ method: "POST", url: "/api/auth/sign-up/email", headers: { origin: TEST_ORIGIN }, payload: { name: "x", email: "c"+u.email, password: "x".repeat(129) } }));
  show("8", await t.app.inject({ method: "POST", url: "/api/auth/sign-up/email", headers: { origin: TEST_ORIGIN }, payload: { name: "x", email: "d"+u.email, password: "12345678" } }));
  show("signin", await t.app.inject({ method: "POST", url: "/api/auth/sign-in/email", headers: { origin: TEST_ORIGIN }, payload: { email: u.email, password: u.password } }));
  show("wrongpw", await t.app.inject({ method: "POST", url: "/api/auth/sign-in/email", headers: { origin: TEST_ORIGIN }, payload: { email: u.email, password: "wrong password!" } }));
  show("unknown", await t.app.inject({ method: "POST", url: "/api/auth/sign-in/email", headers: { origin: TEST_ORIGIN }, payload: { email: "nobody@example.com", password: "wrong password!" } }));
  show("session", await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: u.cookie } }));
  show("jwks", await t.app.inject({ method: "GET", url: "/api/auth/jwks" }));
  show("signout", await t.app.inject({ method: "POST", url: "/api/auth/sign-out", headers: { cookie: u.cookie, origin: TEST_ORIGIN } }));
  show("session2", await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: u.cookie } }));
  show("tasks-after-signout", await t.app.inject({ method: "GET", url: u.tasksUrl, headers: { cookie: u.cookie } }));
  show("nosess", await t.app.inject({ method: "GET", url: "/api/auth/get-session" }));
  const v = await signUp(t.app);
  show("deluser", await t.app.inject({ method: "POST", url: "/api/auth/delete-user", headers: { cookie: v.cookie, origin: TEST_ORIGIN }, payload: { password: v.password } }));
  show("after", await t.app.inject({ method: "GET", url: v.tasksUrl, headers: v.bearer }));
  const s = await (t.app.auth.api as any).signJWT({ body: { payload: { sub: v.id, iat: 1000, exp: 2000 } } });
  console.log(s);
  console.log(t.logs.slice(0, 5).join("\n"));
});
