import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../app.js";
import { createTask, listTasks } from "../tasks.js";
import { signUp } from "../users.js";
import { expectEnvelope } from "./actors.js";

/** A list cursor travels in URLs, histories and logs: it shows nothing and serves only its user (finding 12). */
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const TITLE = "Call the lawyer about the divorce";

/** The cursor's text as it reads, and decoded as base64 from each of the four alignments. */
function readingsOf(cursor: string): string[] {
  return [cursor, ...[0, 1, 2, 3].map((skip) => Buffer.from(cursor.slice(skip), "base64url").toString("latin1"))];
}

describe("list cursors", () => {
  it("a cursor does not carry the last task's title, in plain text or base64", async () => {
    const user = await signUp(t.app, "Private titles");
    await createTask(t.app, user, { title: TITLE });
    await createTask(t.app, user, { title: `${TITLE} again` });
    for (const sort of ["title", "-title", "-created_at"]) {
      const { nextCursor } = await listTasks(t.app, user, { sort, limit: 1 });
      expect(nextCursor, sort).toEqual(expect.any(String));
      for (const reading of readingsOf(nextCursor!)) expect(reading, sort).not.toMatch(/lawyer|divorce/);
    }
  });

  it("a cursor from user A is a 400 for user B, even when B has tasks at the same place", async () => {
    const a = await signUp(t.app, "Cursor owner");
    const b = await signUp(t.app, "Cursor thief");
    for (const user of [a, b]) {
      for (const title of ["one", "two", "three"]) await createTask(t.app, user, { title });
    }
    const { nextCursor } = await listTasks(t.app, a, { sort: "title", limit: 1 });
    expect((await listTasks(t.app, a, { sort: "title", limit: 1, cursor: nextCursor! })).status).toBe(200);
    const stolen = await t.app.inject({ method: "GET", url: `${b.tasksUrl}?sort=title&limit=1&cursor=${nextCursor}`, headers: b.bearer });
    expectEnvelope(stolen, 400, "BAD_REQUEST");
  });

  it("the same position gives a different cursor each time (nothing to compare across pages or users)", async () => {
    const user = await signUp(t.app, "Two cursors");
    for (const title of ["one", "two"]) await createTask(t.app, user, { title });
    const first = await listTasks(t.app, user, { sort: "title", limit: 1 });
    const again = await listTasks(t.app, user, { sort: "title", limit: 1 });
    expect(first.nextCursor).not.toEqual(again.nextCursor);
  });
});
