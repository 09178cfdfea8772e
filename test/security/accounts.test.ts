import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_FAILURES_MAX, SIGN_IN_WINDOW_MS } from "../../src/server/auth/auth.plugin.js";
import { session, task, user as userTable } from "../../src/server/db/schema/index.js";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../app.js";
import { createTask } from "../tasks.js";
import { signUp } from "../users.js";
import { deleteAccount, expectEnvelope, randomAddress } from "./actors.js";

/** Credential guessing and account life cycle (OWASP API2 and API4 on the account routes). */
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

function signIn(app: TestApp["app"], email: string, password: string, remoteAddress = randomAddress()) {
  return app.inject({
    method: "POST",
    url: "/api/auth/sign-in/email",
    headers: { origin: TEST_ORIGIN },
    payload: { email, password },
    remoteAddress,
  });
}

function expectRetryAfter(value: unknown, maxSeconds: number) {
  expect(String(value)).toMatch(/^\d+$/);
  expect(Number(value)).toBeGreaterThanOrEqual(1);
  expect(Number(value)).toBeLessThanOrEqual(maxSeconds);
}

describe("sign-in rate limits", () => {
  it(`${SIGN_IN_FAILURES_MAX} failed sign-ins for one account, each from another address, pause that account: 429 with Retry-After, even for the right password`, {
    timeout: 60_000,
  }, async () => {
    const owner = await signUp(t.app, "Guessed");
    for (let attempt = 0; attempt < SIGN_IN_FAILURES_MAX; attempt += 1) {
      // Other letter case names the same account.
      const spelled = attempt % 2 === 0 ? owner.email.toUpperCase() : owner.email;
      expect((await signIn(t.app, spelled, `wrong guess ${attempt}`)).statusCode).toBe(401);
    }
    const refused = await signIn(t.app, owner.email, owner.password);
    expectEnvelope(refused, 429, "RATE_LIMITED");
    expectRetryAfter(refused.headers["retry-after"], SIGN_IN_WINDOW_MS / 1000);
    expect(refused.headers["set-cookie"]).toBeUndefined();

    // The same attempt as a form post is counted under the same account.
    const form = await t.app.inject({
      method: "POST",
      url: "/api/auth/sign-in/email/",
      headers: { origin: TEST_ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ email: owner.email, password: owner.password }).toString(),
      remoteAddress: randomAddress(),
    });
    expect(form.statusCode).toBe(429);

    // Another account is not paused, and the owner's existing session still works.
    const other = await signUp(t.app, "Unaffected");
    expect((await signIn(t.app, other.email, other.password)).statusCode).toBe(200);
    expect((await t.app.inject({ method: "GET", url: owner.tasksUrl, headers: owner.bearer })).statusCode).toBe(200);
  });

  it("with the production limits on, repeated sign-ins from one address get 429 with Retry-After, whatever the accounts", {
    timeout: 60_000,
  }, async () => {
    const limited = await buildTestApp({ NODE_ENV: "development" });
    try {
      const address = randomAddress();
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof signIn>> | undefined;
      for (let attempt = 0; attempt < 6; attempt += 1) {
        last = await signIn(limited.app, `nobody-${randomUUID()}@example.com`, "whatever password", address);
        statuses.push(last.statusCode);
      }
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
      expect(statuses.slice(3)).toEqual([429, 429, 429]);
      expectRetryAfter(last!.headers["retry-after"], 60);
      // Another address is not throttled by the first one.
      expect((await signIn(limited.app, `nobody-${randomUUID()}@example.com`, "whatever password")).statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });
});

describe("sign-in answers", () => {
  it("an unknown email and a wrong password get the same status and body, and take comparable time (a dummy hash is computed)", {
    timeout: 60_000,
  }, async () => {
    const owner = await signUp(t.app, "Probed");
    const timings = { unknown: [] as number[], wrong: [] as number[] };
    const bodies = new Set<string>();
    const statuses = new Set<number>();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      for (const kind of ["unknown", "wrong"] as const) {
        const email = kind === "unknown" ? `nobody-${randomUUID()}@example.com` : owner.email;
        const started = performance.now();
        const response = await signIn(t.app, email, "definitely wrong");
        timings[kind].push(performance.now() - started);
        bodies.add(response.body);
        statuses.add(response.statusCode);
      }
    }
    expect([...statuses]).toEqual([401]);
    expect(bodies.size).toBe(1);
    const median = (values: number[]) => values.sort((a, b) => a - b)[2]!;
    // Without the dummy hash an unknown email answers many times faster than a wrong password.
    expect(median(timings.unknown)).toBeGreaterThan(median(timings.wrong) * 0.3);
  });

  it("passwords outside 8 to 128 characters are refused at sign-up and create nothing; a huge one at sign-in is a quick 4xx", async () => {
    for (const password of ["short77", "p".repeat(129), "p".repeat(60_000)]) {
      const email = `limits-${randomUUID()}@example.com`;
      const response = await t.app.inject({
        method: "POST",
        url: "/api/auth/sign-up/email",
        headers: { origin: TEST_ORIGIN },
        payload: { name: "Limits", email, password },
      });
      expect(response.statusCode).toBe(400);
      expect(await t.app.database.db.select().from(userTable).where(eq(userTable.email, email))).toEqual([]);
    }
    const owner = await signUp(t.app, "Huge");
    const started = performance.now();
    const huge = await signIn(t.app, owner.email, "p".repeat(60_000));
    expect(huge.statusCode).toBeGreaterThanOrEqual(400);
    expect(huge.statusCode).toBeLessThan(500);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe("deleting an account", () => {
  it("delete-user with the password removes the user, every task, every session; its token and cookie then get 401", {
    timeout: 60_000,
  }, async () => {
    const leaver = await signUp(t.app, "Leaver");
    const stayer = await signUp(t.app, "Stayer");
    for (let index = 0; index < 5; index += 1) await createTask(t.app, leaver, { title: `Leaver's ${index}` });
    const kept = await createTask(t.app, stayer, { title: "Stays" });
    expect((await signIn(t.app, leaver.email, leaver.password)).statusCode).toBe(200);

    await deleteAccount(t.app, leaver);

    const db = t.app.database.db;
    expect(await db.select().from(task).where(eq(task.userId, leaver.id))).toEqual([]);
    expect(await db.select().from(session).where(eq(session.userId, leaver.id))).toEqual([]);
    expect(await db.select().from(userTable).where(eq(userTable.id, leaver.id))).toEqual([]);
    const attempts: InjectOptions[] = [
      { method: "GET", url: leaver.tasksUrl, headers: leaver.bearer },
      { method: "GET", url: leaver.tasksUrl, headers: { cookie: leaver.cookie } },
      { method: "POST", url: leaver.tasksUrl, headers: leaver.bearer, payload: { title: "Ghost" } },
    ];
    for (const attempt of attempts) expectEnvelope(await t.app.inject(attempt), 401, "UNAUTHORIZED");
    expect((await signIn(t.app, leaver.email, leaver.password)).statusCode).toBe(401);
    const stayerTask = await t.app.inject({ method: "GET", url: `${stayer.tasksUrl}/${kept.id}`, headers: stayer.bearer });
    expect(stayerTask.json().data).toEqual(kept);
  });
});
