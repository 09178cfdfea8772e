import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../app.js";
import { signUp } from "../users.js";
import { expectEnvelope } from "./actors.js";

/**
 * Logout CSRF: a hostile page's form posting to /api/auth/sign-out would clear the victim's cookie
 * and end the session. Like every other cookie write, it needs a trusted Origin (or Referer).
 */
const EVIL = "https://evil.example";
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const FORM = { "content-type": "application/x-www-form-urlencoded" };

describe("sign-out from another site", () => {
  it("a cross-site form POST to sign-out with the session cookie is a 403 and the session lives on", async () => {
    const user = await signUp(t.app, "Logout CSRF");
    const forms: Record<string, string>[] = [
      { origin: EVIL },
      { origin: EVIL.toUpperCase() },
      { origin: "null" },
      { referer: `${EVIL}/logout.html` },
      { origin: "null", referer: `${EVIL}/logout.html` },
      {},
    ];
    for (const url of ["/api/auth/sign-out", "/api/auth/sign-out/", "/api/auth/sign-out?redirect=/"]) {
      for (const headers of forms) {
        for (const payload of ["", "a=1"]) {
          const response = await t.app.inject({ method: "POST", url, headers: { cookie: user.cookie, ...FORM, ...headers }, payload });
          expectEnvelope(response, 403, "FORBIDDEN", `${url} ${JSON.stringify(headers)} ${JSON.stringify(payload)}`);
          expect(response.headers["set-cookie"], url).toBeUndefined();
        }
      }
    }
    const session = await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: user.cookie } });
    expect(session.json()).toMatchObject({ user: { id: user.id } });
    await expect(t.app.inject({ method: "GET", url: user.tasksUrl, headers: user.bearer })).resolves.toMatchObject({ statusCode: 200 });
  });

  it("the same form POST from the app's own origin signs out", async () => {
    const user = await signUp(t.app, "Logout by the user");
    const response = await t.app.inject({
      method: "POST",
      url: "/api/auth/sign-out",
      headers: { cookie: user.cookie, ...FORM, origin: TEST_ORIGIN },
      payload: "",
    });
    expect(response.statusCode).toBe(200);
    const session = await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: user.cookie } });
    expect(session.json()).toBeNull();
  });
});
