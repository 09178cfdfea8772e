import { afterAll, beforeAll, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "./app.js";
import { signUp } from "./users.js";

let t: TestApp;
beforeAll(async () => { t = await buildTestApp(); });
afterAll(() => t.close());

it("explore", async () => {
  const u = await signUp(t.app);
  const show = (label: string, r: { statusCode: number; headers: Record<string, unknown>; body: string }) =>
    console.log(label, r.statusCode, r.headers["content-type"], r.headers["allow"], r.headers["retry-after"], r.body.slice(0, 300));
  const uuid = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";
  show("api/nope", await t.app.inject({ method: "GET", url: "/api/nope" }));
  show("nope", await t.app.inject({ method: "GET", url: "/nope" }));
  show("auth/nope", await t.app.inject({ method: "GET", url: "/api/auth/nope" }));
  show("auth/nope POST", await t.app.inject({ method: "POST", url: "/api/auth/nope", headers: { origin: TEST_ORIGIN }, payload: {} }));
  show("PUT auth", await t.app.inject({ method: "PUT", url: "/api/auth/sign-in/email" }));
  show("PUT list", await t.app.inject({ method: "PUT", url: u.tasksUrl, headers: u.bearer }));
  show("PUT list noauth", await t.app.inject({ method: "PUT", url: u.tasksUrl }));
  show("POST one", await t.app.inject({ method: "POST", url: `${u.tasksUrl}/${uuid}`, headers: u.bearer }));
  show("POST complete", await t.app.inject({ method: "POST", url: `${u.tasksUrl}/${uuid}/complete`, headers: u.bearer }));
  show("POST healthz", await t.app.inject({ method: "POST", url: `/healthz` }));
  show("bad json", await t.app.inject({ method: "POST", url: u.tasksUrl, headers: { ...u.bearer, "content-type": "application/json" }, payload: '{"title": ' }));
  show("text", await t.app.inject({ method: "POST", url: u.tasksUrl, headers: { ...u.bearer, "content-type": "text/plain" }, payload: 'hello' }));
  show("form", await t.app.inject({ method: "POST", url: u.tasksUrl, headers: { ...u.bearer, "content-type": "application/x-www-form-urlencoded" }, payload: 'title=x' }));
  show("proto", await t.app.inject({ method: "POST", url: u.tasksUrl, headers: { ...u.bearer, "content-type": "application/json" }, payload: '{"title":"x","__proto__":{"completed":true}}' }));
  show("ctor", await t.app.inject({ method: "POST", url: u.tasksUrl, headers: { ...u.bearer, "content-type": "application/json" }, payload: '{"title":"x","constructor":{"prototype":{"a":1}}}' }));
  const base = '{"title":"x","description":""}';
  const big = (n: number) => `{"title":"x","description":"${"a".repeat(n - base.length)}"}`;
  show("64k+1", await t.app.inject({ method: "POST", url: u.tasksUrl, headers: { ...u.bearer, "content-type": "application/json" }, payload: big(65537) }));
  show("64k", await t.app.inject({ method: "POST", url: u.tasksUrl, headers: { ...u.bearer, "content-type": "application/json" }, payload: big(65536) }));
  show("long id", await t.app.inject({ method: "GET", url: "/healthz", headers: { "x-request-id": "a".repeat(300) } }));
  show("readyz", await t.app.inject({ method: "GET", url: "/readyz" }));
  show("HEAD list", await t.app.inject({ method: "HEAD", url: u.tasksUrl, headers: u.bearer }));
  show("OPTIONS list", await t.app.inject({ method: "OPTIONS", url: u.tasksUrl, headers: u.bearer }));
  show("empty body post", await t.app.inject({ method: "POST", url: u.tasksUrl, headers: { ...u.bearer, "content-type": "application/json" }, payload: '' }));
  show("no ct post", await t.app.inject({ method: "POST", url: u.tasksUrl, headers: { ...u.bearer }, payload: 'title' }));

  const d = await buildTestApp();
  const v = await signUp(d.app);
  await d.app.database.close();
  let s = Date.now();
  show("503 list", await d.app.inject({ method: "GET", url: v.tasksUrl, headers: v.bearer }));
  console.log(Date.now() - s); s = Date.now();
  show("503 post", await d.app.inject({ method: "POST", url: v.tasksUrl, headers: v.bearer, payload: { title: "x" } }));
  show("503 cookie", await d.app.inject({ method: "GET", url: v.tasksUrl, headers: { cookie: v.cookie } }));
  show("503 readyz", await d.app.inject({ method: "GET", url: "/readyz" }));
  show("503 signin", await d.app.inject({ method: "POST", url: "/api/auth/sign-in/email", headers: { origin: TEST_ORIGIN }, payload: { email: v.email, password: v.password } }));
  console.log(Date.now() - s);
  await d.close().catch((e) => console.log("close failed", e));
  console.log(t.logs.filter((l) => l.includes('"level":50') || l.includes('"level":40')).slice(0, 5).join("\n"));
  console.log(d.logs.filter((l) => l.includes('"level":50') || l.includes('"level":40')).slice(0, 8).join("\n").slice(0, 4000));
});
