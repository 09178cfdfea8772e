import { type SQL, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { capturingLogger } from "../../../test/app.js";
import { createTestDatabase } from "../../../test/database.js";
import { scheduleVacuum } from "../plugins/database.js";
import type { Database } from "./database.js";

const THRESHOLD = 10;

let database: Database;
afterEach(async () => {
  await database.close().catch(() => {});
});

async function open() {
  const test = await createTestDatabase({ vacuumAfterWrites: THRESHOLD });
  database = test.database;
  return test.kind;
}

/** Both drivers answer with { rows }. */
async function rowsOf<T>(query: SQL): Promise<T[]> {
  return ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** How many times the task table has been vacuumed by hand (VACUUM, not autovacuum). */
async function taskVacuums(): Promise<number> {
  const [row] = await rowsOf<{ n: number }>(sql`SELECT vacuum_count::int AS n FROM pg_stat_user_tables WHERE relname = 'task'`);
  return row!.n;
}

/** Write transactions on the task table: a user, then one task edited until count writes are done. */
async function writeTasks(count: number) {
  const userId = `vacuum-${Math.random().toString(36).slice(2)}`;
  await database.db.execute(
    sql`INSERT INTO "user" (id, name, email, email_verified, created_at, updated_at) VALUES (${userId}, 'V', ${`${userId}@example.com`}, false, now(), now())`,
  );
  const [{ id }] = (await rowsOf<{ id: string }>(sql`INSERT INTO task (user_id, title) VALUES (${userId}, 'edited') RETURNING id`)) as [
    { id: string },
  ];
  for (let n = 2; n < count; n++) await database.db.execute(sql`UPDATE task SET title = ${`edit ${n}`} WHERE id = ${id}`);
}

function logSink() {
  const { logger, logs } = capturingLogger("debug");
  return { logger, lines: () => logs.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe("the embedded database's vacuum", () => {
  it("PostgreSQL has none (its autovacuum's job); PGlite vacuums once enough writes have happened since the last time", async () => {
    if ((await open()) === "postgres") {
      expect(database.vacuumIfDue).toBeUndefined();
      return;
    }
    const vacuumIfDue = database.vacuumIfDue!;
    await vacuumIfDue(); // whatever the template's own history asks for
    const before = await taskVacuums();
    expect(await vacuumIfDue()).toBe(false);

    await writeTasks(THRESHOLD - 2);
    expect(await vacuumIfDue()).toBe(false);
    expect(await taskVacuums()).toBe(before);

    await writeTasks(2);
    expect(await vacuumIfDue()).toBe(true);
    expect(await taskVacuums()).toBe(before + 1);
    expect(await vacuumIfDue()).toBe(false);
  });

  it("the app's schedule runs it; a failed run is logged and the schedule goes on", async () => {
    const kind = await open();
    const { lines, logger } = logSink();
    await database.vacuumIfDue?.(); // whatever the template's own history asks for: from here, only the writes below
    const stop = scheduleVacuum(database, 5, logger);
    if (kind === "postgres") {
      await new Promise((resolve) => setTimeout(resolve, 30));
      await stop();
      expect(lines()).toEqual([]);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(lines()).toEqual([]); // nothing due yet
    await writeTasks(THRESHOLD + 1);
    await expect.poll(() => lines().some((line) => line.msg === "embedded database vacuumed"), { timeout: 5_000 }).toBe(true);

    await database.close();
    await writeTasks(THRESHOLD).catch(() => {});
    const failures = () => lines().filter((line) => line.msg === "vacuuming the embedded database failed");
    await expect.poll(() => failures().length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    expect(failures()[0]).toMatchObject({ level: 50, error: { message: expect.any(String) } });
    await stop();
  });
});
