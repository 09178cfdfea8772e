import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { createTask, listAll, listTasks, newestFirst } from "../../../test/tasks.js";
import { signUp, type TestUser } from "../../../test/users.js";
import { task } from "../db/schema/index.js";
import { etagOf } from "./etag.js";
import type { Task } from "./tasks.schemas.js";

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

/** A user with `count` tasks titled "Task 01".., every third completed; returned in creation order. */
async function userWithTasks(count: number): Promise<{ user: TestUser; tasks: Task[] }> {
  const user = await signUp(t.app);
  const tasks: Task[] = [];
  for (let i = 1; i <= count; i++) {
    tasks.push(await createTask(t.app, user, { title: `Task ${String(i).padStart(2, "0")}`, completed: i % 3 === 0 }));
  }
  return { user, tasks };
}

const ids = (tasks: Task[]) => tasks.map((task) => task.id);

describe("listing", () => {
  it("lists newest first with meta.count and a null cursor on the last page", async () => {
    const { user, tasks } = await userWithTasks(3);
    const page = await listTasks(t.app, user);
    expect(page.status).toBe(200);
    expect(page.body.success).toBe(true);
    expect(ids(page.tasks)).toEqual(ids(newestFirst(tasks)));
    expect(page.body.meta).toEqual({ count: 3, next_cursor: null });
  });

  it("every read carries a message, as every write does: the list's counts its page", async () => {
    const { user, tasks } = await userWithTasks(3);
    expect((await listTasks(t.app, user)).body.message).toBe("3 tasks");
    expect((await listTasks(t.app, user, { limit: 1 })).body.message).toBe("1 task");
    const read = await t.app.inject({ method: "GET", url: `${user.tasksUrl}/${tasks[0]!.id}`, headers: user.bearer });
    expect(read.json().message).toBe("Task retrieved");
  });

  it("an empty list is 200 with no tasks", async () => {
    const user = await signUp(t.app);
    const page = await listTasks(t.app, user);
    expect(page.status).toBe(200);
    expect(page.body).toEqual({ success: true, data: [], message: "0 tasks", meta: { count: 0, next_cursor: null } });
  });

  it("a user sees only their own tasks", async () => {
    const { user: alice, tasks } = await userWithTasks(2);
    const { user: bob } = await userWithTasks(2);
    const alicesList = await listAll(t.app, alice);
    expect(ids(alicesList).sort()).toEqual(ids(tasks).sort());
    expect(alicesList.every((task) => task.user_id === alice.id)).toBe(true);
    expect((await listAll(t.app, bob)).every((task) => task.user_id === bob.id)).toBe(true);
  });

  it("filters by status", async () => {
    const { user, tasks } = await userWithTasks(9);
    const completed = tasks.filter((task) => task.completed);
    const pending = tasks.filter((task) => !task.completed);
    expect(ids(await listAll(t.app, user, { status: "completed" }))).toEqual(ids(newestFirst(completed)));
    expect(ids(await listAll(t.app, user, { status: "pending" }))).toEqual(ids(newestFirst(pending)));
    expect(await listAll(t.app, user, { status: "all" })).toHaveLength(9);
  });

  it("sorts by every allowed order, ties broken by id", async () => {
    const { user, tasks } = await userWithTasks(6);
    // Touch two tasks so updated_at order differs from created_at order. Each touch a few
    // milliseconds after the last write, so it is the newest by updated_at, not tied with it.
    for (const task of [tasks[1]!, tasks[4]!]) {
      await new Promise((resolve) => setTimeout(resolve, 3));
      await t.app.inject({ method: "PATCH", url: `${user.tasksUrl}/${task.id}`, headers: user.bearer, payload: { description: "touched" } });
    }
    const all = await listAll(t.app, user);
    const byKey = (key: (task: Task) => string, descending: boolean) =>
      ids(
        [...all].sort((a, b) => {
          const order = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : 1;
          return descending ? -order : order;
        }),
      );
    expect(ids(await listAll(t.app, user, { sort: "created_at" }))).toEqual(byKey((task) => task.created_at, false));
    expect(ids(await listAll(t.app, user, { sort: "-created_at" }))).toEqual(byKey((task) => task.created_at, true));
    expect(ids(await listAll(t.app, user, { sort: "updated_at" }))).toEqual(byKey((task) => task.updated_at, false));
    expect(ids(await listAll(t.app, user, { sort: "-updated_at" }))).toEqual(byKey((task) => task.updated_at, true));
    expect(ids(await listAll(t.app, user, { sort: "title" }))).toEqual(byKey((task) => task.title.toLowerCase(), false));
    expect(ids(await listAll(t.app, user, { sort: "-title" }))).toEqual(byKey((task) => task.title.toLowerCase(), true));
    const touched = (await listAll(t.app, user, { sort: "-updated_at" })).slice(0, 2);
    expect(ids(touched)).toEqual([tasks[4]!.id, tasks[1]!.id]);
  });

  it("writes each task as the single-task read does, byte for byte as JSON.stringify would, with its ETag", async () => {
    // The answers are serialized from the route schemas: escapes, nulls and timestamps must come out
    // as JSON.stringify writes them, and the list and the read must agree.
    const user = await signUp(t.app);
    const titles = [
      'quote " backslash \\ slash /',
      "tab\tnew line\ncarriage\rbell\u0007 \u001f",
      "é ü 中文 😀 \u2028 \u2029 \u007f",
      "<script>&amp;</script>",
    ];
    const created: Task[] = [];
    for (const [i, title] of titles.entries()) {
      created.push(await createTask(t.app, user, { title, ...(i % 2 === 0 ? { description: `${title} described` } : {}), completed: i === 1 }));
    }
    const response = await t.app.inject({ method: "GET", url: user.tasksUrl, headers: user.bearer });
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(response.body).toBe(JSON.stringify(response.json()));
    const listed = response.json().data as Task[];
    expect(listed.map((task) => task.title)).toEqual(newestFirst(created).map((task) => task.title));
    for (const task of listed) {
      expect(Object.keys(task)).toEqual(["id", "user_id", "title", "description", "completed", "created_at", "updated_at"]);
      const read = await t.app.inject({ method: "GET", url: `${user.tasksUrl}/${task.id}`, headers: user.bearer });
      expect(read.body).toBe(JSON.stringify({ success: true, data: task, message: "Task retrieved" }));
      expect(read.headers.etag).toBe(etagOf(task));
    }
  });

  it("sorts titles case-insensitively", async () => {
    const user = await signUp(t.app);
    for (const title of ["banana", "Apple", "cherry", "apricot"]) await createTask(t.app, user, { title });
    const titles = (await listAll(t.app, user, { sort: "title" })).map((task) => task.title);
    expect(titles).toEqual(["Apple", "apricot", "banana", "cherry"]);
  });
});

describe("search", () => {
  it("finds text in title or description, case-insensitively", async () => {
    const user = await signUp(t.app);
    const inTitle = await createTask(t.app, user, { title: "Buy MILK" });
    const inDescription = await createTask(t.app, user, { title: "Groceries", description: "oat milk, bread" });
    await createTask(t.app, user, { title: "Call mum" });
    expect(ids(await listAll(t.app, user, { q: "milk" }))).toEqual([inDescription.id, inTitle.id]);
  });

  it("takes % and _ and \\ literally", async () => {
    const user = await signUp(t.app);
    const percent = await createTask(t.app, user, { title: "100% done" });
    const underscore = await createTask(t.app, user, { title: "snake_case" });
    const backslash = await createTask(t.app, user, { title: "C:\\temp" });
    await createTask(t.app, user, { title: "1000 done" });
    await createTask(t.app, user, { title: "snakeXcase" });
    await createTask(t.app, user, { title: "C:temp" });
    expect(ids(await listAll(t.app, user, { q: "%" }))).toEqual([percent.id]);
    expect(ids(await listAll(t.app, user, { q: "0%" }))).toEqual([percent.id]);
    expect(ids(await listAll(t.app, user, { q: "_" }))).toEqual([underscore.id]);
    expect(ids(await listAll(t.app, user, { q: "e_c" }))).toEqual([underscore.id]);
    expect(ids(await listAll(t.app, user, { q: "\\" }))).toEqual([backslash.id]);
  });

  it("combines search, status and paging", async () => {
    const user = await signUp(t.app);
    const expected: Task[] = [];
    for (let i = 0; i < 7; i++) {
      const task = await createTask(t.app, user, { title: `report ${i}`, completed: i % 2 === 0 });
      if (task.completed) expected.push(task);
      await createTask(t.app, user, { title: `other ${i}`, completed: true });
    }
    expect(ids(await listAll(t.app, user, { q: "REPORT", status: "completed", limit: 2 }))).toEqual(ids(newestFirst(expected)));
  });

  it("an empty q means no search", async () => {
    const { user } = await userWithTasks(2);
    expect(await listAll(t.app, user, { q: "" })).toHaveLength(2);
  });
});

describe("keyset paging", () => {
  it("pages through every task exactly once, for every sort order", async () => {
    const { user, tasks } = await userWithTasks(11);
    for (const sort of ["-created_at", "created_at", "updated_at", "-updated_at", "title", "-title"]) {
      const pages: Task[][] = [];
      let cursor: string | null = null;
      do {
        const page = await listTasks(t.app, user, cursor ? { sort, limit: 4, cursor } : { sort, limit: 4 });
        expect(page.status).toBe(200);
        pages.push(page.tasks);
        expect(page.body.meta).toEqual({ count: page.tasks.length, next_cursor: page.nextCursor });
        cursor = page.nextCursor;
      } while (cursor);
      expect(
        pages.map((page) => page.length),
        sort,
      ).toEqual([4, 4, 3]);
      expect(ids(pages.flat()).sort(), sort).toEqual(ids(tasks).sort());
    }
  });

  it("a full last page still reports null once nothing follows", async () => {
    const { user } = await userWithTasks(4);
    const first = await listTasks(t.app, user, { limit: 2 });
    const second = await listTasks(t.app, user, { limit: 2, cursor: first.nextCursor! });
    expect(second.tasks).toHaveLength(2);
    expect(second.nextCursor).toBeNull();
  });

  it("never skips or repeats a task while tasks are added and deleted during paging", async () => {
    const { user, tasks } = await userWithTasks(12);
    const seen: Task[] = [];
    let cursor: string | null = null;
    let round = 0;
    const deleted = new Set<string>();
    do {
      const page = await listTasks(t.app, user, cursor ? { limit: 3, cursor } : { limit: 3 });
      seen.push(...page.tasks);
      cursor = page.nextCursor;
      // Between pages: two new tasks arrive, and one not-yet-seen old task is deleted.
      await createTask(t.app, user, { title: `added during paging ${round}a` });
      await createTask(t.app, user, { title: `added during paging ${round}b` });
      const unseen = tasks.find((task) => !seen.some((s) => s.id === task.id) && !deleted.has(task.id));
      if (unseen && round % 2 === 1) {
        await t.app.inject({ method: "DELETE", url: `${user.tasksUrl}/${unseen.id}`, headers: user.bearer });
        deleted.add(unseen.id);
      }
      round++;
    } while (cursor);
    const seenIds = ids(seen);
    expect(new Set(seenIds).size).toBe(seenIds.length);
    const expected = ids(newestFirst(tasks.filter((task) => !deleted.has(task.id))));
    expect(seenIds).toEqual(expected);
  });

  it("tasks with the same timestamps are paged without loss, in id order", async () => {
    const user = await signUp(t.app);
    const created = await Promise.all(Array.from({ length: 20 }, (_, i) => createTask(t.app, user, { title: `burst ${i}` })));
    // Force the tie that concurrent creates only sometimes produce.
    await t.app.database.db
      .update(task)
      .set({ createdAt: new Date("2026-01-01T00:00:00.000Z"), updatedAt: new Date("2026-01-01T00:00:00.000Z") })
      .where(eq(task.userId, user.id));
    const byIdDescending = ids(created).sort().reverse();
    expect(ids(await listAll(t.app, user, { limit: 3 }))).toEqual(byIdDescending);
    expect(ids(await listAll(t.app, user, { limit: 3, sort: "updated_at" }))).toEqual([...byIdDescending].reverse());
  });

  it("in ascending orders, tasks added during paging show up at most once and no earlier task is skipped", async () => {
    for (const sort of ["created_at", "title"]) {
      const user = await signUp(t.app);
      const original: Task[] = [];
      for (const title of ["b1", "d1", "f1", "h1", "j1", "l1", "n1"]) original.push(await createTask(t.app, user, { title }));
      const seen: Task[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const page = await listTasks(t.app, user, cursor ? { sort, limit: 2, cursor } : { sort, limit: 2 });
        seen.push(...page.tasks);
        cursor = page.nextCursor;
        // During the first pages: new titles land both before and after the cursor; new timestamps after it.
        if (round < 3) {
          await createTask(t.app, user, { title: `a${round}` });
          await createTask(t.app, user, { title: `m${round}` });
        }
        round++;
      } while (cursor && round < 20);
      expect(cursor, sort).toBeNull();
      const seenIds = ids(seen);
      expect(new Set(seenIds).size, sort).toBe(seenIds.length);
      // Oldest first by created_at (ties, within one millisecond, by id); the titles were created in order.
      const expected = sort === "created_at" ? newestFirst(original).reverse() : original;
      expect(
        seenIds.filter((id) => ids(original).includes(id)),
        sort,
      ).toEqual(ids(expected));
    }
  });

  it("refuses a cursor the server did not issue with 400", async () => {
    const { user } = await userWithTasks(3);
    const { nextCursor } = await listTasks(t.app, user, { limit: 1 });
    expect(nextCursor).toEqual(expect.any(String));
    const forgedPayload = Buffer.from(JSON.stringify(["-created_at", "2999-01-01T00:00:00.000Z", "3f2504e0-4f89-41d3-9a0c-0305e82c3301"])).toString(
      "base64url",
    );
    const bytes = Buffer.from(nextCursor!, "base64url");
    const flipped = (at: number) => {
      const copy = Buffer.from(bytes);
      copy[at]! ^= 0x01;
      return copy.toString("base64url");
    };
    for (const cursor of [
      "garbage",
      ".",
      forgedPayload,
      flipped(0),
      flipped(20),
      flipped(bytes.length - 1),
      nextCursor!.slice(0, -4),
      `${nextCursor}AAAA`,
      `${nextCursor}.x`,
      "%%%",
      "a".repeat(500),
    ]) {
      const page = await listTasks(t.app, user, { limit: 1, cursor });
      expect(page.status, cursor).toBe(400);
      expect((page.body.error as { code: string }).code).toBe("BAD_REQUEST");
    }
  });

  it("refuses a cursor issued for another sort order", async () => {
    const { user } = await userWithTasks(3);
    const { nextCursor } = await listTasks(t.app, user, { limit: 1, sort: "title" });
    const page = await listTasks(t.app, user, { limit: 1, sort: "-created_at", cursor: nextCursor! });
    expect(page.status).toBe(400);
  });

  it("a cursor for the longest titles, sorted by title, is accepted back", async () => {
    const user = await signUp(t.app);
    const longest = await Promise.all(["😀", "𝔸", "ж"].map((char) => createTask(t.app, user, { title: char.repeat(200) })));
    for (const sort of ["title", "-title"]) {
      const paged = await listAll(t.app, user, { sort, limit: 1 });
      expect(ids(paged).sort(), sort).toEqual(ids(longest).sort());
    }
  });

  it("a cursor over 2048 characters is a validation error", async () => {
    const { user } = await userWithTasks(1);
    const page = await listTasks(t.app, user, { cursor: "a".repeat(2049) });
    expect(page.status).toBe(422);
  });

  it("defaults to 50 per page and allows up to 200", async () => {
    const user = await signUp(t.app);
    await Promise.all(Array.from({ length: 60 }, (_, i) => createTask(t.app, user, { title: `bulk ${i}` })));
    const first = await listTasks(t.app, user);
    expect(first.tasks).toHaveLength(50);
    expect(first.nextCursor).not.toBeNull();
    expect((await listTasks(t.app, user, { limit: 200 })).tasks).toHaveLength(60);
  });
});
