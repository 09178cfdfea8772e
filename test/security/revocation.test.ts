import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/server/app.js";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../app.js";
import { signUp } from "../users.js";
import { deleteAccount } from "./actors.js";
import { expectRefusedWithin, signInAgain, tokenFor } from "./revocation.js";

/**
 * Ending a session ends the bearer tokens minted for it, within seconds and on every instance
 * (test/security/revocation.postgres.test.ts runs a second one), though tokens are verified without
 * asking the database. A sign-out ends that device's tokens only.
 */
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

async function expectAccepted(app: App, tasksUrl: string, bearer: { authorization: string }) {
  expect((await app.inject({ method: "GET", url: tasksUrl, headers: bearer })).statusCode).toBe(200);
}

const post = (cookie: string, url: string, payload: object = {}) =>
  t.app.inject({ method: "POST", url: `/api/auth/${url}`, headers: { cookie, origin: TEST_ORIGIN }, payload });

async function sessionOf(cookie: string) {
  return (await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie } })).json<{ session: { id: string } } | null>();
}

describe("bearer tokens end with their session", () => {
  it("sign-out refuses that session's token within 5 s; the user's other devices keep theirs", async () => {
    const user = await signUp(t.app, "Signs out");
    const laptop = await signInAgain(t.app, user);
    await expectAccepted(t.app, user.tasksUrl, user.bearer);
    expect((await post(user.cookie, "sign-out")).statusCode).toBe(200);
    await expectRefusedWithin(t.app, user.tasksUrl, user.bearer);
    await expectAccepted(t.app, user.tasksUrl, laptop.bearer);
  });

  it("revoke-sessions (sign out everywhere) refuses every token of the user within 5 s", async () => {
    const user = await signUp(t.app, "Everywhere");
    const laptop = await signInAgain(t.app, user);
    expect((await post(user.cookie, "revoke-sessions")).statusCode).toBe(200);
    await expectRefusedWithin(t.app, user.tasksUrl, user.bearer);
    await expectRefusedWithin(t.app, user.tasksUrl, laptop.bearer);
  });

  it("revoke-other-sessions refuses the other devices' tokens within 5 s and keeps the caller's", async () => {
    const user = await signUp(t.app, "Others");
    const laptop = await signInAgain(t.app, user);
    expect((await post(user.cookie, "revoke-other-sessions")).statusCode).toBe(200);
    await expectRefusedWithin(t.app, user.tasksUrl, laptop.bearer);
    await expectAccepted(t.app, user.tasksUrl, user.bearer);
  });

  it("revoke-session of one named session refuses that device's token within 5 s", async () => {
    const user = await signUp(t.app, "One device");
    const laptop = await signInAgain(t.app, user);
    const sessions = await t.app.inject({ method: "GET", url: "/api/auth/list-sessions", headers: { cookie: user.cookie } });
    const own = await sessionOf(user.cookie);
    const other = sessions.json<{ token: string; id: string }[]>().find((session) => session.id !== own!.session.id)!;
    expect((await post(user.cookie, "revoke-session", { token: other.token })).statusCode).toBe(200);
    await expectRefusedWithin(t.app, user.tasksUrl, laptop.bearer);
    await expectAccepted(t.app, user.tasksUrl, user.bearer);
  });

  it("a password change signs out every other session, though the client did not ask, and refuses their tokens within 5 s", async () => {
    const user = await signUp(t.app, "Changes password");
    const laptop = await signInAgain(t.app, user);
    const changed = await post(user.cookie, "change-password", {
      currentPassword: user.password,
      newPassword: "a brand new passphrase",
      revokeOtherSessions: false,
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await sessionOf(laptop.cookie)).toBeNull();
    await expectRefusedWithin(t.app, user.tasksUrl, laptop.bearer);
    await expectRefusedWithin(t.app, user.tasksUrl, user.bearer);
    // The device that changed it carries on with the session cookie it was given, and new tokens.
    const renewed = [changed.headers["set-cookie"] ?? []]
      .flat()
      .find((value) => value.includes("session_token="))!
      .split(";", 1)[0]!;
    expect(await sessionOf(renewed)).not.toBeNull();
    await expectAccepted(t.app, user.tasksUrl, await tokenFor(t.app, renewed));
  });

  it("account deletion refuses the user's tokens within 5 s, from every device", async () => {
    const user = await signUp(t.app, "Leaves");
    const laptop = await signInAgain(t.app, user);
    await deleteAccount(t.app, user);
    await expectRefusedWithin(t.app, user.tasksUrl, user.bearer);
    await expectRefusedWithin(t.app, user.tasksUrl, laptop.bearer);
  });
});
