import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task, verification } from "../../src/server/db/schema/index.js";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../app.js";
import { linkIn, type MailServer, startMailServer } from "../mail-server.js";
import { createTask } from "../tasks.js";
import { signUp, type TestUser } from "../users.js";
import { fromRandomAddresses, randomAddress } from "./actors.js";

/** Account control: changing and resetting a password, the sessions list, deleting the account. */
let t: TestApp;
let mail: MailServer;

beforeAll(async () => {
  mail = await startMailServer();
  t = await buildTestApp({ SMTP_URL: mail.url });
});
afterAll(async () => {
  await t.close();
  await mail.close();
});

function post(url: string, payload: object, cookie?: string, userAgent?: string) {
  return t.app.inject({
    method: "POST",
    url,
    headers: { origin: TEST_ORIGIN, ...(cookie ? { cookie } : {}), ...(userAgent ? { "user-agent": userAgent } : {}) },
    payload,
  });
}

function cookieOf(response: { headers: Record<string, unknown> }): string {
  const cookies = [response.headers["set-cookie"] ?? []].flat() as string[];
  const session = cookies.find((cookie) => cookie.includes("session_token="));
  if (!session) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`);
  return session.split(";", 1)[0]!;
}

async function signIn(email: string, password: string, userAgent?: string) {
  return post("/api/auth/sign-in/email", { email, password }, undefined, userAgent);
}

async function sessionUser(cookie: string): Promise<string | null> {
  const response = await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie } });
  expect(response.statusCode).toBe(200);
  return (response.json<{ user: { id: string } } | null>() ?? { user: null }).user?.id ?? null;
}

async function askReset(email: string) {
  return post("/api/auth/request-password-reset", { email });
}

async function resetToken(user: TestUser): Promise<string> {
  expect((await askReset(user.email)).statusCode).toBe(200);
  const link = linkIn(await mail.nextMailTo(user.email));
  return link.searchParams.get("token")!;
}

describe("password reset by mail", () => {
  it("asking a reset mails one link to the app's reset page; following it sets the new password, the old one fails", async () => {
    const user = await signUp(t.app, "Forgetful");
    const before = mail.received.length;
    const asked = await askReset(user.email.toUpperCase());
    expect(asked.statusCode).toBe(200);
    const message = await mail.nextMailTo(user.email);
    expect(message.subject).toBe("Reset your Ticked password");
    const link = linkIn(message);
    expect(`${link.origin}${link.pathname}`).toBe(`${t.config.publicUrl}/reset-password`);
    const token = link.searchParams.get("token");
    expect(token).toMatch(/^\w{16,}$/);
    expect(mail.received.length).toBe(before + 1);
    // With a mail server configured the link (a credential) is mailed, never logged.
    expect(t.logs.filter((line) => line.includes(token!))).toEqual([]);

    const reset = await post("/api/auth/reset-password", { token, newPassword: "a brand new passphrase" });
    expect(reset.statusCode, reset.body).toBe(200);
    expect((await signIn(user.email, user.password)).statusCode).toBe(401);
    const signedIn = await signIn(user.email, "a brand new passphrase");
    expect(signedIn.statusCode).toBe(200);
    expect(await sessionUser(cookieOf(signedIn))).toBe(user.id);
  });

  it("a reset signs the account out of every session it had", async () => {
    const user = await signUp(t.app, "Stolen laptop");
    expect(await sessionUser(user.cookie)).toBe(user.id);
    const token = await resetToken(user);
    expect((await post("/api/auth/reset-password", { token, newPassword: "locked the thief out" })).statusCode).toBe(200);
    expect(await sessionUser(user.cookie)).toBeNull();
  });

  it("a reset link works once: used again it is refused and the password stays the one it set", async () => {
    const user = await signUp(t.app, "Twice");
    const token = await resetToken(user);
    expect((await post("/api/auth/reset-password", { token, newPassword: "first new passphrase" })).statusCode).toBe(200);
    const again = await post("/api/auth/reset-password", { token, newPassword: "second new passphrase" });
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: "INVALID_TOKEN" });
    expect((await signIn(user.email, "second new passphrase")).statusCode).toBe(401);
    expect((await signIn(user.email, "first new passphrase")).statusCode).toBe(200);
  });

  it("an expired reset link is refused and the password stays as it was", async () => {
    const user = await signUp(t.app, "Late");
    const token = await resetToken(user);
    await t.app.database.db
      .update(verification)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(verification.identifier, `reset-password:${token}`));
    const late = await post("/api/auth/reset-password", { token, newPassword: "too late for this" });
    expect(late.statusCode).toBe(400);
    expect(late.json()).toMatchObject({ code: "INVALID_TOKEN" });
    expect((await signIn(user.email, "too late for this")).statusCode).toBe(401);
    expect((await signIn(user.email, user.password)).statusCode).toBe(200);
  });

  it("a made-up reset token is refused", async () => {
    const refused = await post("/api/auth/reset-password", { token: "not-a-token-anyone-was-sent", newPassword: "whatever it is" });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("asking a reset for an unknown email answers exactly as for a known one, and mails nothing", async () => {
    const known = await signUp(t.app, "Known");
    const forKnown = await askReset(known.email);
    await mail.nextMailTo(known.email);
    const before = mail.received.length;
    const unknown = "nobody-here@example.com";
    const forUnknown = await askReset(unknown);
    expect(forUnknown.statusCode).toBe(forKnown.statusCode);
    expect(forUnknown.body).toBe(forKnown.body);
    await expect(mail.nextMailTo(unknown, 1_000)).rejects.toThrow(/no mail/);
    expect(mail.received.length).toBe(before);
  });
});

describe("without SMTP_URL", () => {
  it("the reset link is written to the server log at warn level", async () => {
    const logged = await buildTestApp();
    try {
      const user = await signUp(logged.app, "No mail server");
      const asked = await logged.app.inject({
        method: "POST",
        url: "/api/auth/request-password-reset",
        headers: { origin: TEST_ORIGIN },
        payload: { email: user.email },
      });
      expect(asked.statusCode).toBe(200);
      const line = logged.logs.map((text) => JSON.parse(text) as { level: number; link?: string; to?: string }).find((entry) => entry.link);
      expect(line).toMatchObject({ level: 40, to: user.email });
      const link = new URL(line!.link!);
      expect(link.pathname).toBe("/reset-password");
      const reset = await logged.app.inject({
        method: "POST",
        url: "/api/auth/reset-password",
        headers: { origin: TEST_ORIGIN },
        payload: { token: link.searchParams.get("token"), newPassword: "read it from the log" },
      });
      expect(reset.statusCode).toBe(200);
    } finally {
      await logged.close();
    }
  });
});

describe("changing the password", () => {
  it("the wrong current password is refused and changes nothing", async () => {
    const user = await signUp(t.app, "Careful");
    const refused = await post(
      "/api/auth/change-password",
      { currentPassword: "not my password", newPassword: "something else entirely", revokeOtherSessions: true },
      user.cookie,
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: "INVALID_PASSWORD" });
    expect(await sessionUser(user.cookie)).toBe(user.id);
    expect((await signIn(user.email, user.password)).statusCode).toBe(200);
  });

  it("the right current password sets the new one and signs out the account's other sessions", async () => {
    const user = await signUp(t.app, "Changer");
    const other = cookieOf(await signIn(user.email, user.password));
    const changed = await post(
      "/api/auth/change-password",
      { currentPassword: user.password, newPassword: "my shiny new passphrase", revokeOtherSessions: true },
      user.cookie,
    );
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await sessionUser(other)).toBeNull();
    expect(await sessionUser(cookieOf(changed))).toBe(user.id);
    expect((await signIn(user.email, user.password)).statusCode).toBe(401);
    expect((await signIn(user.email, "my shiny new passphrase")).statusCode).toBe(200);
  });
});

describe("signed-in sessions", () => {
  it("the list shows each session's device and address, and one can be signed out by its token", async () => {
    const user = await signUp(t.app, "Two devices");
    const phoneAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148";
    const phone = cookieOf(await signIn(user.email, user.password, phoneAgent));
    const listed = await t.app.inject({ method: "GET", url: "/api/auth/list-sessions", headers: { cookie: user.cookie } });
    expect(listed.statusCode).toBe(200);
    const sessions = listed.json<{ token: string; userAgent: string | null; ipAddress: string | null; updatedAt: string }[]>();
    expect(sessions).toHaveLength(2);
    const phoneSession = sessions.find((one) => one.userAgent === phoneAgent);
    expect(phoneSession?.ipAddress).toBe("127.0.0.1");
    expect(Number.isNaN(Date.parse(phoneSession!.updatedAt))).toBe(false);

    const revoked = await post("/api/auth/revoke-session", { token: phoneSession!.token }, user.cookie);
    expect(revoked.statusCode).toBe(200);
    expect(await sessionUser(phone)).toBeNull();
    expect(await sessionUser(user.cookie)).toBe(user.id);
  });

  it("signing out all other sessions keeps only the current one", async () => {
    const user = await signUp(t.app, "Many devices");
    const others = [cookieOf(await signIn(user.email, user.password)), cookieOf(await signIn(user.email, user.password))];
    expect((await post("/api/auth/revoke-other-sessions", {}, user.cookie)).statusCode).toBe(200);
    for (const other of others) expect(await sessionUser(other)).toBeNull();
    expect(await sessionUser(user.cookie)).toBe(user.id);
  });
});

describe("deleting the account", () => {
  it("the wrong password is refused and the account and its tasks stay", async () => {
    const user = await signUp(t.app, "Hesitant");
    await createTask(t.app, user, { title: "still here" });
    const refused = await post("/api/auth/delete-user", { password: "not my password" }, user.cookie);
    expect(refused.statusCode).toBe(400);
    expect(await sessionUser(user.cookie)).toBe(user.id);
    const list = await t.app.inject({ method: "GET", url: user.tasksUrl, headers: user.bearer });
    expect(list.json<{ data: unknown[] }>().data).toHaveLength(1);
  });

  it("the right password deletes the account: it cannot sign in and none of its tasks remain", async () => {
    const user = await signUp(t.app, "Leaving");
    await createTask(t.app, user, { title: "to be deleted" });
    const deleted = await post("/api/auth/delete-user", { password: user.password }, user.cookie);
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(await sessionUser(user.cookie)).toBeNull();
    expect((await signIn(user.email, user.password)).statusCode).toBe(401);
    const [left] = await t.app.database.db.select({ n: count() }).from(task).where(eq(task.userId, user.id));
    expect(left).toEqual({ n: 0 });
  });
});

describe("rate limits on account changes", () => {
  let limited: TestApp;
  beforeAll(async () => {
    // Outside NODE_ENV=test Better Auth limits these routes per client address.
    limited = await buildTestApp({ NODE_ENV: "development", OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: "0", SMTP_URL: mail.url });
  });
  afterAll(() => limited.close());

  const from = (remoteAddress: string, url: string, payload: object, cookie?: string) =>
    limited.app.inject({ method: "POST", url, remoteAddress, headers: { origin: TEST_ORIGIN, ...(cookie ? { cookie } : {}) }, payload });

  it("a fourth reset request within a minute from one address is refused with 429 and Retry-After", async () => {
    const address = randomAddress();
    const email = "someone-limited@example.com";
    for (let attempt = 0; attempt < 3; attempt += 1) {
      expect((await from(address, "/api/auth/request-password-reset", { email })).statusCode).toBe(200);
    }
    const refused = await from(address, "/api/auth/request-password-reset", { email });
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers["retry-after"])).toBeLessThanOrEqual(60);
  });

  it("repeated wrong current passwords are refused with 429 and Retry-After before more are checked", async () => {
    const address = randomAddress();
    const user = await signUp(fromRandomAddresses(limited.app), "Guessing my own");
    const statuses: number[] = [];
    let retryAfter: unknown;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const answer = await from(
        address,
        "/api/auth/change-password",
        { currentPassword: `guess ${attempt}`, newPassword: "never set this one" },
        user.cookie,
      );
      statuses.push(answer.statusCode);
      retryAfter = answer.headers["retry-after"];
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(10);
  });
});
