import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { createTask, listAll, newestFirst } from "../../../test/tasks.js";
import { signUp, type TestUser } from "../../../test/users.js";
import type { Db } from "../db/database.js";
import { searchableText, task } from "../db/schema/index.js";
import { createTaskRepository, likePattern } from "./tasks.repository.js";
import type { Task } from "./tasks.schemas.js";

let t: TestApp;
let user: TestUser;
const tasks: Task[] = [];

// Titles and descriptions with the characters ILIKE treats specially, mixed case and non-ASCII.
const TEXTS: [string, string | null][] = [
  ["100% done", null],
  ["1000 done", "not 100 percent"],
  ["snake_case", null],
  ["snakeXcase", "has_underscore inside"],
  ["C:\\temp", null],
  ["C:temp", "back\\slash"],
  ["Buy MILK", null],
  ["Groceries", "oat milk, bread"],
  ["Straße fegen", "Ärger mit dem Nachbarn"],
];
const TERMS = ["%", "0%", "_", "e_c", "\\", "milk", "MILK", "done", "ße", "ärger", "xyz-nothing", "e", "ca"];

class Rollback extends Error {}

/**
 * The search as the planner must run it without any btree path to the user's rows: the btree
 * indexes are dropped and sequential scans disabled inside a transaction that is rolled back.
 */
async function searchThroughTrigramIndexes(term: string): Promise<{ ids: string[]; plan: string }> {
  let result: { ids: string[]; plan: string } | undefined;
  try {
    await t.app.database.db.transaction(async (tx) => {
      for (const index of ["created", "title"]) {
        await tx.execute(sql.raw(`DROP INDEX task_user_${index}_idx`));
      }
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      const explained = await tx.execute(
        sql`EXPLAIN SELECT id FROM task WHERE user_id = ${user.id} AND ${searchableText(task)} ILIKE ${likePattern(term)}`,
      );
      const plan = (explained as { rows: { "QUERY PLAN": string }[] }).rows.map((row) => row["QUERY PLAN"]).join("\n");
      const page = await createTaskRepository(tx as unknown as Db).list(user.id, {
        status: "all",
        search: term,
        sort: "-created_at",
        limit: 200,
        after: undefined,
      });
      result = { ids: page.tasks.map((task) => task.id), plan };
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return result!;
}

/** What a search should find, worked out here without SQL. */
function expected(term: string): string[] {
  const needle = term.toLowerCase();
  return newestFirst(
    tasks.filter((task) => task.title.toLowerCase().includes(needle) || (task.description ?? "").toLowerCase().includes(needle)),
  ).map((task) => task.id);
}

beforeAll(async () => {
  t = await buildTestApp();
  user = await signUp(t.app);
  const other = await signUp(t.app);
  for (const [index, [title, description]] of TEXTS.entries()) {
    tasks.push(await createTask(t.app, user, { title, description }));
    // Another user's tasks with the same text must never show up.
    if (index % 3 === 0) await createTask(t.app, other, { title, description });
  }
}, 60_000); // two sign-ups and a dozen creates; on a loaded machine PGlite took over 30 s
afterAll(() => t.close());

describe("search through the trigram index (migrations 0002, 0003)", () => {
  it.each(TERMS)("finds the same tasks for %j as the API and as plain string matching", async (term) => {
    const viaIndex = await searchThroughTrigramIndexes(term);
    expect(viaIndex.plan).toMatch(/task_search_trgm_idx/);
    expect(viaIndex.plan).not.toMatch(/Seq Scan/);
    expect(viaIndex.ids).toEqual(expected(term));
    expect((await listAll(t.app, user, { q: term })).map((task) => task.id)).toEqual(expected(term));
  });
});
