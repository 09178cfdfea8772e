import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { listAll } from "../../../test/tasks.js";
import { signUp, type TestUser } from "../../../test/users.js";
import { idempotencyKey } from "../db/schema/index.js";

let t: TestApp;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await buildTestApp();
  [alice, bob] = await Promise.all([signUp(t.app, "Alice"), signUp(t.app, "Bob")]);
});
afterAll(() => t.close());

function post(user: TestUser, key: string | undefined, payload: object) {
  return t.app.inject({
    method: "POST",
    url: user.tasksUrl,
    headers: { ...user.bearer, ...(key === undefined ? {} : { "idempotency-key": key }) },
    payload,
  });
}

async function storedKeys(userId: string): Promise<string[]> {
  const rows = await t.app.database.db.select({ key: idempotencyKey.key }).from(idempotencyKey).where(eq(idempotencyKey.userId, userId));
  return rows.map((row) => row.key);
}

/** Makes a stored key look as if it had been stored `minutes` ago. */
async function age(userId: string, key: string, minutes: number) {
  await t.app.database.db.execute(
    sql`UPDATE idempotency_key SET created_at = now() - make_interval(mins => ${minutes}) WHERE user_id = ${userId} AND key = ${key}`,
  );
}

describe("Idempotency-Key on POST", () => {
  it("a retry with the same key replays the first answer (status, body, Location, ETag) and creates nothing", async () => {
    const key = randomUUID();
    const first = await post(alice, key, { title: "Pay rent", description: "before the 5th" });
    expect(first.statusCode).toBe(201);
    expect(first.headers["idempotent-replayed"]).toBeUndefined();

    const retry = await post(alice, key, { title: "  Pay rent ", description: "before the 5th", completed: false });
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers.etag).toBe(first.headers.etag);
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect((await listAll(t.app, alice)).filter((task) => task.title === "Pay rent")).toHaveLength(1);
  });

  it("without a key every POST creates a task, as before", async () => {
    const title = `no key ${randomUUID()}`;
    await Promise.all([post(alice, undefined, { title }), post(alice, undefined, { title })]);
    expect((await listAll(t.app, alice)).filter((task) => task.title === title)).toHaveLength(2);
  });

  it("the same key with a different body is 422 and creates nothing", async () => {
    const key = randomUUID();
    expect((await post(alice, key, { title: "Original" })).statusCode).toBe(201);
    for (const payload of [{ title: "Different" }, { title: "Original", completed: true }, { title: "Original", description: "more" }]) {
      const response = await post(alice, key, payload);
      expect(response.statusCode).toBe(422);
      expect(response.json()).toEqual({
        success: false,
        error: {
          code: "VALIDATION_ERROR",
          message: expect.stringContaining("Idempotency-Key"),
          details: [{ field: "idempotency-key", message: "was already used with a different body" }],
        },
      });
    }
    const titles = (await listAll(t.app, alice)).map((task) => task.title);
    expect(titles.filter((title) => title === "Different")).toEqual([]);
  });

  it.each(["", "a".repeat(256), "has space", "tab\tinside", "ünïcode"])("a malformed key (%j) is 400 and creates nothing", async (key) => {
    const title = `malformed ${randomUUID()}`;
    const response = await post(alice, key, { title });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toEqual({ code: "BAD_REQUEST", message: expect.stringContaining("Idempotency-Key") });
    expect((await listAll(t.app, alice)).filter((task) => task.title === title)).toEqual([]);
  });

  it("accepts 255 visible ASCII characters", async () => {
    const key = `${"!~".repeat(127)}x`;
    expect((await post(alice, key, { title: "long key" })).statusCode).toBe(201);
    expect((await post(alice, key, { title: "long key" })).headers["idempotent-replayed"]).toBe("true");
  });

  it("keys belong to their user: another user's same key is a new request", async () => {
    const key = randomUUID();
    const mine = await post(alice, key, { title: "shared key" });
    const theirs = await post(bob, key, { title: "shared key" });
    expect(theirs.statusCode).toBe(201);
    expect(theirs.headers["idempotent-replayed"]).toBeUndefined();
    expect(theirs.json().data.id).not.toBe(mine.json().data.id);
    expect(theirs.json().data.user_id).toBe(bob.id);
  });

  it("concurrent duplicates create exactly one task, and every one of them gets its answer", async () => {
    const key = randomUUID();
    const title = `concurrent ${key}`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => post(alice, key, { title })));
    expect(responses.map((response) => response.statusCode)).toEqual(Array(20).fill(201));
    expect(new Set(responses.map((response) => response.json().data.id)).size).toBe(1);
    expect(responses.filter((response) => response.headers["idempotent-replayed"] === undefined)).toHaveLength(1);
    expect((await listAll(t.app, alice)).filter((task) => task.title === title)).toHaveLength(1);
  });

  it("a key older than 24 hours is ignored and replaced; expired keys of any user are purged", async () => {
    const key = randomUUID();
    const first = await post(alice, key, { title: "yesterday" });
    await age(alice.id, key, 25 * 60);
    const bobsOld = randomUUID();
    await post(bob, bobsOld, { title: "bob's old one" });
    await age(bob.id, bobsOld, 24 * 60 + 1);

    const again = await post(alice, key, { title: "today, another body" });
    expect(again.statusCode).toBe(201);
    expect(again.headers["idempotent-replayed"]).toBeUndefined();
    expect(again.json().data.id).not.toBe(first.json().data.id);
    expect((await post(alice, key, { title: "today, another body" })).headers["idempotent-replayed"]).toBe("true");
    expect(await storedKeys(bob.id)).not.toContain(bobsOld);
  });

  it("a key just under 24 hours old still replays", async () => {
    const key = randomUUID();
    const first = await post(alice, key, { title: "almost a day" });
    await age(alice.id, key, 24 * 60 - 5);
    const retry = await post(alice, key, { title: "almost a day" });
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(retry.json().data.id).toBe(first.json().data.id);
  });

  it("a deleted user's keys go with the account", async () => {
    const carol = await signUp(t.app, "Carol");
    const key = randomUUID();
    await post(carol, key, { title: "carol's" });
    expect(await storedKeys(carol.id)).toEqual([key]);
    const deleted = await t.app.inject({
      method: "POST",
      url: "/api/auth/delete-user",
      headers: { cookie: carol.cookie, origin: "http://localhost:8000" },
      payload: { password: carol.password },
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(await storedKeys(carol.id)).toEqual([]);
    expect((await post(carol, key, { title: "carol's" })).statusCode).toBe(401);
  });
});
