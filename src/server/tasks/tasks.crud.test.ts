import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { createTask } from "../../../test/tasks.js";
import { signUp, type TestUser } from "../../../test/users.js";

let t: TestApp;
let alice: TestUser;

beforeAll(async () => {
  t = await buildTestApp();
  alice = await signUp(t.app, "Alice");
});
afterAll(() => t.close());

const RFC3339_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function taskUrl(user: TestUser, id: string, suffix = "") {
  return `${user.tasksUrl}/${id}${suffix}`;
}

describe("creating a task", () => {
  it("answers 201 with the task, a message and a Location that reads it back", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: alice.tasksUrl,
      headers: alice.bearer,
      payload: { title: "Buy milk", description: "Two litres" },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toEqual({
      success: true,
      message: "Task created",
      data: {
        id: expect.stringMatching(UUID),
        user_id: alice.id,
        title: "Buy milk",
        description: "Two litres",
        completed: false,
        created_at: expect.stringMatching(RFC3339_MS_UTC),
        updated_at: body.data.created_at,
      },
    });
    expect(response.headers.location).toBe(`${alice.tasksUrl}/${body.data.id}`);

    const read = await t.app.inject({ method: "GET", url: response.headers.location as string, headers: alice.bearer });
    expect(read.statusCode).toBe(200);
    expect(read.json().data).toEqual(body.data);
  });

  it("trims the title, stores an empty description as null and accepts completed", async () => {
    const task = await createTask(t.app, alice, { title: "  \t Call mum \n ", description: "", completed: true });
    expect(task.title).toBe("Call mum");
    expect(task.description).toBeNull();
    expect(task.completed).toBe(true);
  });

  it("stores text verbatim: emoji, markup, quotes and SQL metacharacters", async () => {
    const title = `🎉 <img src=x onerror=alert(1)> '; DROP TABLE task; -- "quoted" \\ 100% _x_`;
    const task = await createTask(t.app, alice, { title, description: "línea\nzwei 中文" });
    expect(task.title).toBe(title);
    expect(task.description).toBe("línea\nzwei 中文");
  });

  it("refuses a user_id in the body: the owner always comes from the credentials", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: alice.tasksUrl,
      headers: alice.bearer,
      payload: { title: "sneaky", user_id: "someone-else" },
    });
    expect(response.statusCode).toBe(422);
    expect((await createTask(t.app, alice, { title: "mine" })).user_id).toBe(alice.id);
  });
});

describe("updating a task", () => {
  it("PUT changes only the fields sent and moves updated_at forward", async () => {
    const task = await createTask(t.app, alice, { title: "Draft", description: "keep me" });
    const response = await t.app.inject({
      method: "PUT",
      url: taskUrl(alice, task.id),
      headers: alice.bearer,
      payload: { title: "  Final  " },
    });
    expect(response.statusCode).toBe(200);
    const updated = response.json().data;
    expect(response.json().message).toBe("Task updated");
    expect(updated).toMatchObject({ id: task.id, title: "Final", description: "keep me", completed: false });
    expect(updated.created_at).toBe(task.created_at);
    expect(Date.parse(updated.updated_at)).toBeGreaterThan(Date.parse(task.updated_at));
  });

  it("PATCH can clear the description with null or an empty string", async () => {
    const task = await createTask(t.app, alice, { title: "With notes", description: "notes" });
    for (const description of [null, ""]) {
      const response = await t.app.inject({
        method: "PATCH",
        url: taskUrl(alice, task.id),
        headers: alice.bearer,
        payload: { description },
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().data.description).toBeNull();
    }
  });

  it("every modification changes updated_at, even several within one millisecond", async () => {
    const task = await createTask(t.app, alice, { title: "Busy" });
    const stamps = [task.updated_at];
    for (let i = 0; i < 5; i++) {
      const response = await t.app.inject({
        method: "PATCH",
        url: taskUrl(alice, task.id),
        headers: alice.bearer,
        payload: { completed: i % 2 === 0 },
      });
      stamps.push(response.json().data.updated_at);
    }
    expect(new Set(stamps).size).toBe(stamps.length);
    expect([...stamps].sort()).toEqual(stamps);
  });

  it("an update of a missing task is 404 and creates nothing", async () => {
    const missing = "00000000-0000-4000-8000-000000000000";
    const response = await t.app.inject({
      method: "PUT",
      url: taskUrl(alice, missing),
      headers: alice.bearer,
      payload: { title: "ghost" },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ success: false, error: { code: "NOT_FOUND", message: "task not found" } });
  });
});

describe("completing a task", () => {
  it("PATCH /complete with no body toggles, and toggles back", async () => {
    const task = await createTask(t.app, alice, { title: "Toggle me" });
    const first = await t.app.inject({ method: "PATCH", url: taskUrl(alice, task.id, "/complete"), headers: alice.bearer });
    expect(first.statusCode).toBe(200);
    expect(first.json().data.completed).toBe(true);
    const second = await t.app.inject({
      method: "PATCH",
      url: taskUrl(alice, task.id, "/complete"),
      headers: { ...alice.bearer, "content-type": "application/json" },
      payload: "",
    });
    expect(second.statusCode).toBe(200);
    expect(second.json().data.completed).toBe(false);
  });

  it("PATCH /complete with {completed} sets the value instead of toggling", async () => {
    const task = await createTask(t.app, alice, { title: "Set me" });
    for (const completed of [true, true, false, false]) {
      const response = await t.app.inject({
        method: "PATCH",
        url: taskUrl(alice, task.id, "/complete"),
        headers: alice.bearer,
        payload: { completed },
      });
      expect(response.json().data.completed).toBe(completed);
    }
  });

  it("PATCH /complete refuses a JSON null body instead of toggling", async () => {
    const task = await createTask(t.app, alice, { title: "Null" });
    const response = await t.app.inject({
      method: "PATCH",
      url: taskUrl(alice, task.id, "/complete"),
      headers: { ...alice.bearer, "content-type": "application/json" },
      payload: "null",
    });
    expect(response.statusCode).toBe(422);
    const read = await t.app.inject({ method: "GET", url: taskUrl(alice, task.id), headers: alice.bearer });
    expect(read.json().data.completed).toBe(false);
  });

  it("PATCH /complete refuses any other field", async () => {
    const task = await createTask(t.app, alice, { title: "Strict" });
    const response = await t.app.inject({
      method: "PATCH",
      url: taskUrl(alice, task.id, "/complete"),
      headers: alice.bearer,
      payload: { completed: true, title: "x" },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details).toEqual([{ field: "title", message: "is not a known field" }]);
  });

  it("a hundred concurrent toggles leave the task as a hundred sequential ones would", async () => {
    const task = await createTask(t.app, alice, { title: "Contended" });
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => t.app.inject({ method: "PATCH", url: taskUrl(alice, task.id, "/complete"), headers: alice.bearer })),
    );
    expect(responses.every((response) => response.statusCode === 200)).toBe(true);
    const final = await t.app.inject({ method: "GET", url: taskUrl(alice, task.id), headers: alice.bearer });
    expect(final.json().data.completed).toBe(false);
    const completedStates = responses.map((response) => response.json().data.completed);
    expect(completedStates.filter(Boolean)).toHaveLength(50);
  });
});

describe("deleting a task", () => {
  it("answers the task's id as stored, whatever the case of the id in the URL", async () => {
    const task = await createTask(t.app, alice, { title: "Shouted" });
    const response = await t.app.inject({ method: "DELETE", url: taskUrl(alice, task.id.toUpperCase()), headers: alice.bearer });
    expect(response.statusCode).toBe(200);
    expect(response.json().data).toEqual({ id: task.id });
  });

  it("answers {id}, then 404 on a second delete and on a read", async () => {
    const task = await createTask(t.app, alice, { title: "Temporary" });
    const first = await t.app.inject({ method: "DELETE", url: taskUrl(alice, task.id), headers: alice.bearer });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ success: true, data: { id: task.id }, message: "Task deleted" });
    const second = await t.app.inject({ method: "DELETE", url: taskUrl(alice, task.id), headers: alice.bearer });
    expect(second.statusCode).toBe(404);
    expect(second.json().error.code).toBe("NOT_FOUND");
    const read = await t.app.inject({ method: "GET", url: taskUrl(alice, task.id), headers: alice.bearer });
    expect(read.statusCode).toBe(404);
  });
});

describe("reading a task", () => {
  it("a well-formed id that does not exist is 404", async () => {
    const response = await t.app.inject({
      method: "GET",
      url: taskUrl(alice, "3f2504e0-4f89-41d3-9a0c-0305e82c3301"),
      headers: alice.bearer,
    });
    expect(response.statusCode).toBe(404);
  });

  it("a malformed task id is a 422 naming task_id", async () => {
    for (const id of ["not-a-uuid", "3f2504e0-4f89-41d3-9a0c-0305e82c330", "urn:uuid:3f2504e0-4f89-41d3-9a0c-0305e82c3301", "1"]) {
      const response = await t.app.inject({ method: "GET", url: taskUrl(alice, encodeURIComponent(id)), headers: alice.bearer });
      expect(response.statusCode, id).toBe(422);
      expect(response.json().error).toEqual({
        code: "VALIDATION_ERROR",
        message: "task_id must be a UUID",
        details: [{ field: "task_id", message: "must be a UUID" }],
      });
    }
  });

  it("HEAD on a task answers like GET without a body", async () => {
    const task = await createTask(t.app, alice, { title: "Head" });
    const response = await t.app.inject({ method: "HEAD", url: taskUrl(alice, task.id), headers: alice.bearer });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe("");
  });
});
