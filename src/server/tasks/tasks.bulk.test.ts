import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../../../test/app.js";
import { createTask, listAll } from "../../../test/tasks.js";
import { signUp, type TestUser } from "../../../test/users.js";

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

/** A fresh user with the given tasks: true for a completed one. */
async function userWith(states: boolean[]): Promise<TestUser> {
  const user = await signUp(t.app);
  for (const [i, completed] of states.entries()) await createTask(t.app, user, { title: `task ${i}`, completed });
  return user;
}

async function counts(user: TestUser) {
  const response = await t.app.inject({ method: "GET", url: `${user.tasksUrl}/counts`, headers: user.bearer });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().data;
}

describe("GET /api/{user_id}/tasks/counts", () => {
  it("counts all, pending and completed tasks of the user only", async () => {
    const alice = await userWith([true, false, false]);
    await userWith([true, true]);
    const response = await t.app.inject({ method: "GET", url: `${alice.tasksUrl}/counts`, headers: alice.bearer });
    expect(response.json()).toEqual({ success: true, data: { all: 3, pending: 2, completed: 1 }, message: "3 tasks, 1 completed" });
    expect(await counts(await signUp(t.app))).toEqual({ all: 0, pending: 0, completed: 0 });
  });

  it("is not mistaken for a task id, and refuses query parameters", async () => {
    const alice = await userWith([false]);
    const typo = await t.app.inject({ method: "GET", url: `${alice.tasksUrl}/counts?status=pending`, headers: alice.bearer });
    expect(typo.statusCode).toBe(422);
    expect(typo.json().error.code).toBe("VALIDATION_ERROR");
  });

  it("other methods on it are a 405 with Allow: GET, HEAD, never parsed as a task id", async () => {
    const alice = await userWith([false]);
    for (const method of ["DELETE", "PATCH", "POST", "PUT"] as const) {
      for (const headers of [alice.bearer, {}]) {
        const response = await t.app.inject({
          method,
          url: `${alice.tasksUrl}/counts`,
          headers,
          payload: method === "DELETE" ? undefined : { completed: true },
        });
        expect(response.statusCode, method).toBe(405);
        expect(response.json().error.code, method).toBe("METHOD_NOT_ALLOWED");
        expect(response.headers.allow, method).toBe("GET, HEAD");
      }
    }
    expect(await counts(alice)).toEqual({ all: 1, pending: 1, completed: 0 });
  });
});

describe("PATCH /api/{user_id}/tasks (mark all)", () => {
  it("marks every task done, counting only those that changed, and back", async () => {
    const alice = await userWith([true, false, false]);
    const bob = await userWith([false]);
    const before = await listAll(t.app, alice);
    const done = await t.app.inject({ method: "PATCH", url: alice.tasksUrl, headers: alice.bearer, payload: { completed: true } });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ success: true, data: { updated: 2 }, message: "2 tasks marked complete" });
    const after = await listAll(t.app, alice);
    expect(after.every((task) => task.completed)).toBe(true);
    // The one that was already done is untouched: same updated_at.
    const untouched = before.find((task) => task.completed)!;
    expect(after.find((task) => task.id === untouched.id)!.updated_at).toBe(untouched.updated_at);
    for (const task of after.filter((task) => task.id !== untouched.id)) {
      expect(task.updated_at > before.find((old) => old.id === task.id)!.updated_at).toBe(true);
    }
    expect(await counts(bob)).toEqual({ all: 1, pending: 1, completed: 0 });

    const again = await t.app.inject({ method: "PATCH", url: alice.tasksUrl, headers: alice.bearer, payload: { completed: true } });
    expect(again.json().data).toEqual({ updated: 0 });
    const undone = await t.app.inject({ method: "PATCH", url: alice.tasksUrl, headers: alice.bearer, payload: { completed: false } });
    expect(undone.json()).toMatchObject({ data: { updated: 3 }, message: "3 tasks marked not complete" });
    expect(await counts(alice)).toEqual({ all: 3, pending: 3, completed: 0 });
  });

  it("requires {completed: boolean} and nothing else", async () => {
    const alice = await userWith([false]);
    for (const payload of [{}, { completed: "yes" }, { completed: true, title: "x" }]) {
      const response = await t.app.inject({ method: "PATCH", url: alice.tasksUrl, headers: alice.bearer, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
    }
    const noBody = await t.app.inject({ method: "PATCH", url: alice.tasksUrl, headers: alice.bearer });
    expect(noBody.statusCode).toBe(422);
    expect(await counts(alice)).toEqual({ all: 1, pending: 1, completed: 0 });
  });
});

describe("DELETE /api/{user_id}/tasks?status=", () => {
  it("clears the completed tasks of the user only, answering how many", async () => {
    const alice = await userWith([true, false, true]);
    const bob = await userWith([true]);
    const response = await t.app.inject({ method: "DELETE", url: `${alice.tasksUrl}?status=completed`, headers: alice.bearer });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, data: { deleted: 2 }, message: "2 tasks deleted" });
    expect((await listAll(t.app, alice)).map((task) => task.title)).toEqual(["task 1"]);
    expect(await counts(bob)).toEqual({ all: 1, pending: 0, completed: 1 });
    const again = await t.app.inject({ method: "DELETE", url: `${alice.tasksUrl}?status=completed`, headers: alice.bearer });
    expect(again.json()).toMatchObject({ data: { deleted: 0 }, message: "0 tasks deleted" });
  });

  it("deletes pending ones or every one only when asked by name", async () => {
    const alice = await userWith([true, false, false]);
    const pending = await t.app.inject({ method: "DELETE", url: `${alice.tasksUrl}?status=pending`, headers: alice.bearer });
    expect(pending.json().data).toEqual({ deleted: 2 });
    await createTask(t.app, alice, { title: "one more" });
    const all = await t.app.inject({ method: "DELETE", url: `${alice.tasksUrl}?status=all`, headers: alice.bearer });
    expect(all.json().data).toEqual({ deleted: 2 });
    expect(await counts(alice)).toEqual({ all: 0, pending: 0, completed: 0 });
  });

  it("refuses a bare DELETE (or an unknown status) with 422 and deletes nothing", async () => {
    const alice = await userWith([true, false]);
    for (const url of [alice.tasksUrl, `${alice.tasksUrl}?status=done`, `${alice.tasksUrl}?status=completed&q=x`]) {
      const response = await t.app.inject({ method: "DELETE", url, headers: alice.bearer });
      expect(response.statusCode, url).toBe(422);
      expect(response.json().error.code, url).toBe("VALIDATION_ERROR");
    }
    expect(await counts(alice)).toEqual({ all: 2, pending: 1, completed: 1 });
  });
});

describe("the bulk routes' access rules", () => {
  it("answer 401 without credentials and 403 for another user's list", async () => {
    const alice = await userWith([true]);
    const bob = await signUp(t.app);
    const requests = [
      { method: "GET" as const, url: `${alice.tasksUrl}/counts` },
      { method: "PATCH" as const, url: alice.tasksUrl, payload: { completed: true } },
      { method: "DELETE" as const, url: `${alice.tasksUrl}?status=completed` },
    ];
    for (const request of requests) {
      expect((await t.app.inject(request)).statusCode, `${request.method} anonymous`).toBe(401);
      const foreign = await t.app.inject({ ...request, headers: bob.bearer });
      expect(foreign.statusCode, `${request.method} as bob`).toBe(403);
    }
    expect(await counts(alice)).toEqual({ all: 1, pending: 0, completed: 1 });
  });

  it("take cookie-authenticated writes only from a trusted Origin", async () => {
    const alice = await userWith([true, false]);
    const foreign = { cookie: alice.cookie, origin: "http://evil.example" };
    const patch = await t.app.inject({ method: "PATCH", url: alice.tasksUrl, headers: foreign, payload: { completed: true } });
    expect(patch.statusCode).toBe(403);
    const remove = await t.app.inject({ method: "DELETE", url: `${alice.tasksUrl}?status=completed`, headers: foreign });
    expect(remove.statusCode).toBe(403);
    expect(await counts(alice)).toEqual({ all: 2, pending: 1, completed: 1 });

    const own = { cookie: alice.cookie, origin: TEST_ORIGIN };
    const cleared = await t.app.inject({ method: "DELETE", url: `${alice.tasksUrl}?status=completed`, headers: own });
    expect(cleared.json().data).toEqual({ deleted: 1 });
    const read = await t.app.inject({ method: "GET", url: `${alice.tasksUrl}/counts`, headers: { cookie: alice.cookie } });
    expect(read.json().data).toEqual({ all: 1, pending: 1, completed: 0 });
  });
});
