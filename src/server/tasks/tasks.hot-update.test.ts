import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { createTask } from "../../../test/tasks.js";
import { signUp, type TestUser } from "../../../test/users.js";
import type { Db } from "../db/database.js";
import { createTaskRepository } from "./tasks.repository.js";

let t: TestApp;
let user: TestUser;

class Rollback extends Error {}

/** This transaction's row updates on task, and how many of them were HOT (no new index entries). */
async function updatesWithin(change: (db: Db) => Promise<unknown>): Promise<{ updated: number; hot: number }> {
  let counts: { updated: number; hot: number } | undefined;
  try {
    await t.app.database.db.transaction(async (tx) => {
      // The view can still hold the connection's earlier transactions until its statistics are
      // flushed, so this counts the difference.
      const read = async () => {
        const result = await tx.execute(
          sql`SELECT n_tup_upd::int AS updated, n_tup_hot_upd::int AS hot FROM pg_stat_xact_user_tables WHERE relname = 'task'`,
        );
        return (result as unknown as { rows: { updated: number; hot: number }[] }).rows[0]!;
      };
      const before = await read();
      await change(tx as unknown as Db);
      const after = await read();
      counts = { updated: after.updated - before.updated, hot: after.hot - before.hot };
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return counts!;
}

beforeAll(async () => {
  t = await buildTestApp();
  user = await signUp(t.app);
});
afterAll(() => t.close());

// Nothing a toggle changes is indexed (migration 0003), so a toggle leaves every index as it was: no
// index bloat from the most frequent write, even where no vacuum runs (docs/database.md).
describe("toggles are HOT updates", () => {
  it("a toggle and a completed flag change no index", async () => {
    const task = await createTask(t.app, user, { title: "Toggle me", description: "searchable text" });
    const counts = await updatesWithin(async (db) => {
      const tasks = createTaskRepository(db);
      await tasks.complete(user.id, task.id, undefined);
      await tasks.complete(user.id, task.id, true);
      await tasks.update(user.id, task.id, { completed: false });
    });
    expect(counts).toEqual({ updated: 3, hot: 3 });
  });

  it("an edit of the title is not HOT: the title is indexed for sorting and search", async () => {
    const task = await createTask(t.app, user, { title: "Rename me" });
    const counts = await updatesWithin((db) => createTaskRepository(db).update(user.id, task.id, { title: "Renamed" }));
    expect(counts).toEqual({ updated: 1, hot: 0 });
  });
});
