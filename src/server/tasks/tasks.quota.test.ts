import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { signUp, type TestUser } from "../../../test/users.js";
import { idempotencyKey, task } from "../db/schema/index.js";
import { createIdempotencyStore } from "./idempotency.js";

const MAX = 3;
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({ TASKS_PER_USER_MAX: String(MAX) });
});
afterAll(() => t.close());

function create(user: TestUser, title: string, key?: string) {
  return t.app.inject({
    method: "POST",
    url: user.tasksUrl,
    headers: { ...user.bearer, ...(key ? { "idempotency-key": key } : {}) },
    payload: { title },
  });
}

async function taskCount(userId: string) {
  const [row] = await t.app.database.db.select({ n: sql<number>`count(*)::int` }).from(task).where(eq(task.userId, userId));
  return row!.n;
}

describe("TASKS_PER_USER_MAX", () => {
  it("a create beyond the maximum is 403 QUOTA_EXCEEDED and stores nothing; a delete makes room again", async () => {
    const user = await signUp(t.app);
    const ids: string[] = [];
    for (let i = 0; i < MAX; i++) {
      const response = await create(user, `task ${i}`);
      expect(response.statusCode).toBe(201);
      ids.push(response.json().data.id);
    }
    const over = await create(user, "one too many");
    expect(over.statusCode).toBe(403);
    expect(over.json()).toEqual({ success: false, error: { code: "QUOTA_EXCEEDED", message: expect.stringContaining("TASKS_PER_USER_MAX") } });
    expect(await taskCount(user.id)).toBe(MAX);

    const other = await signUp(t.app);
    expect((await create(other, "someone else's first")).statusCode).toBe(201);

    expect((await t.app.inject({ method: "DELETE", url: `${user.tasksUrl}/${ids[0]}`, headers: user.bearer })).statusCode).toBe(200);
    expect((await create(user, "fits again")).statusCode).toBe(201);
    expect(await taskCount(user.id)).toBe(MAX);
  });

  it("parallel creates never take a user past the maximum", async () => {
    const user = await signUp(t.app);
    const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => create(user, `racing ${i}`)));
    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.filter((status) => status === 201)).toHaveLength(MAX);
    expect(statuses.filter((status) => status === 403)).toHaveLength(30 - MAX);
    expect(await taskCount(user.id)).toBe(MAX);
  });

  it("an idempotent create beyond the maximum is refused and keeps no record, so a retry after a delete creates", async () => {
    const user = await signUp(t.app);
    const ids: string[] = [];
    for (let i = 0; i < MAX; i++) ids.push((await create(user, `task ${i}`)).json().data.id);
    expect((await create(user, "retried", "key-1")).statusCode).toBe(403);
    const stored = await t.app.database.db.select().from(idempotencyKey).where(eq(idempotencyKey.userId, user.id));
    expect(stored).toEqual([]);
    await t.app.inject({ method: "DELETE", url: `${user.tasksUrl}/${ids[0]}`, headers: user.bearer });
    const retry = await create(user, "retried", "key-1");
    expect(retry.statusCode).toBe(201);
    expect(retry.headers["idempotent-replayed"]).toBeUndefined();
  });
});

describe("idempotency records per user", () => {
  it("only the newest are kept: storing one more drops the user's oldest, never another user's", async () => {
    const [user, other] = await Promise.all([signUp(t.app), signUp(t.app)]);
    const store = createIdempotencyStore(t.app.database.db, { keysPerUser: 5 });
    const answer = async () => ({ statusCode: 201, response: { ok: true } });
    await store.once(other.id, "other-0", "hash", answer);
    for (let i = 0; i < 8; i++) await store.once(user.id, `key-${i}`, "hash", answer);
    const kept = await t.app.database.db
      .select({ key: idempotencyKey.key })
      .from(idempotencyKey)
      .where(eq(idempotencyKey.userId, user.id))
      .orderBy(idempotencyKey.key);
    expect(kept.map((row) => row.key)).toEqual(["key-3", "key-4", "key-5", "key-6", "key-7"]);
    const others = await t.app.database.db.select().from(idempotencyKey).where(eq(idempotencyKey.userId, other.id));
    expect(others).toHaveLength(1);
  });
});
