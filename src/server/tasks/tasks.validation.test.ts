import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { createTask, listAll } from "../../../test/tasks.js";
import { signUp, type TestUser } from "../../../test/users.js";

let t: TestApp;
let alice: TestUser;

beforeAll(async () => {
  t = await buildTestApp();
  alice = await signUp(t.app, "Alice");
});
afterAll(() => t.close());

async function post(payload: unknown, user = alice) {
  return t.app.inject({ method: "POST", url: user.tasksUrl, headers: user.bearer, payload: payload as object });
}

function expectValidationError(response: Awaited<ReturnType<typeof post>>, field: string, message: string) {
  expect(response.statusCode, response.body).toBe(422);
  const { error } = response.json();
  expect(error.code).toBe("VALIDATION_ERROR");
  expect(error.details).toContainEqual({ field, message });
  expect(error.message).toContain(`${field} ${message}`);
}

describe("title boundaries", () => {
  it("refuses a missing title", async () => {
    expectValidationError(await post({ description: "no title" }), "title", "is required");
  });

  it("refuses 0 characters and white space only", async () => {
    expectValidationError(await post({ title: "" }), "title", "must not be empty");
    expectValidationError(await post({ title: " \t\n  " }), "title", "must not be empty");
  });

  it("accepts 1 and 200 characters, refuses 201", async () => {
    expect((await createTask(t.app, alice, { title: "a" })).title).toBe("a");
    expect((await createTask(t.app, alice, { title: "b".repeat(200) })).title).toHaveLength(200);
    expectValidationError(await post({ title: "c".repeat(201) }), "title", "must be at most 200 characters");
  });

  it("counts characters after trimming, so padding does not count", async () => {
    const task = await createTask(t.app, alice, { title: `   ${"d".repeat(200)}   ` });
    expect(task.title).toBe("d".repeat(200));
  });

  it("counts an emoji as one character: 200 emoji fit, 201 do not", async () => {
    const task = await createTask(t.app, alice, { title: "😀".repeat(200) });
    expect([...task.title]).toHaveLength(200);
    expectValidationError(await post({ title: "😀".repeat(201) }), "title", "must be at most 200 characters");
  });

  it("refuses a title that is not a string", async () => {
    for (const title of [42, true, null, ["a"], { text: "a" }]) {
      const response = await post({ title });
      expect(response.statusCode, JSON.stringify(title)).toBe(422);
      expect(response.json().error.details[0].field).toBe("title");
    }
  });
});

describe("description boundaries", () => {
  it("accepts 1000 characters, refuses 1001", async () => {
    const task = await createTask(t.app, alice, { title: "long", description: "e".repeat(1000) });
    expect(task.description).toHaveLength(1000);
    expectValidationError(await post({ title: "x", description: "e".repeat(1001) }), "description", "must be at most 1000 characters");
  });

  it("accepts null, refuses a number", async () => {
    expect((await createTask(t.app, alice, { title: "x", description: null })).description).toBeNull();
    expectValidationError(await post({ title: "x", description: 5 }), "description", "must be a string or null");
  });
});

describe("closed bodies", () => {
  it("refuses every read-only field by name", async () => {
    for (const field of ["id", "user_id", "created_at", "updated_at"]) {
      expectValidationError(await post({ title: "x", [field]: "2020-01-01T00:00:00.000Z" }), field, "is read-only");
    }
  });

  it("refuses unknown fields instead of dropping them", async () => {
    expectValidationError(await post({ title: "x", priority: "high" }), "priority", "is not a known field");
  });

  it("lists every problem in details", async () => {
    const response = await post({ title: "", completed: "yes", extra: 1 });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.details).toEqual(
      expect.arrayContaining([
        { field: "title", message: "must not be empty" },
        { field: "completed", message: "must be a boolean" },
        { field: "extra", message: "is not a known field" },
      ]),
    );
  });

  it('does not coerce types: "true" and 1 are not booleans', async () => {
    expectValidationError(await post({ title: "x", completed: "true" }), "completed", "must be a boolean");
    expectValidationError(await post({ title: "x", completed: 1 }), "completed", "must be a boolean");
  });

  it("refuses a body that is not a JSON object", async () => {
    for (const payload of [[{ title: "x" }], "just text", 42]) {
      const response = await t.app.inject({
        method: "POST",
        url: alice.tasksUrl,
        headers: { ...alice.bearer, "content-type": "application/json" },
        payload: JSON.stringify(payload),
      });
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
      expect(response.json().error.details).toEqual([{ field: "body", message: "must be a JSON object" }]);
    }
  });

  it("refuses an empty update", async () => {
    const task = await createTask(t.app, alice, { title: "x" });
    for (const method of ["PUT", "PATCH"] as const) {
      const response = await t.app.inject({ method, url: `${alice.tasksUrl}/${task.id}`, headers: alice.bearer, payload: {} });
      expect(response.statusCode).toBe(422);
      expect(response.json().error.details).toEqual([{ field: "body", message: "must contain at least one field" }]);
    }
  });

  it("refuses read-only fields on update and leaves the task unchanged", async () => {
    const task = await createTask(t.app, alice, { title: "original" });
    const response = await t.app.inject({
      method: "PATCH",
      url: `${alice.tasksUrl}/${task.id}`,
      headers: alice.bearer,
      payload: { title: "changed", id: "3f2504e0-4f89-41d3-9a0c-0305e82c3301" },
    });
    expect(response.statusCode).toBe(422);
    const read = await t.app.inject({ method: "GET", url: `${alice.tasksUrl}/${task.id}`, headers: alice.bearer });
    expect(read.json().data).toEqual(task);
  });
});

describe("text PostgreSQL cannot store", () => {
  it("refuses a NUL character in title and description with 422, not 500", async () => {
    expectValidationError(await post({ title: "a\u0000b" }), "title", "must not contain NUL characters or unpaired surrogates");
    expectValidationError(
      await post({ title: "ok", description: "\u0000" }),
      "description",
      "must not contain NUL characters or unpaired surrogates",
    );
  });

  it("refuses an unpaired surrogate, accepts a paired one", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: alice.tasksUrl,
      headers: { ...alice.bearer, "content-type": "application/json" },
      payload: '{"title":"broken \\ud83d here"}',
    });
    expect(response.statusCode).toBe(422);
    expect((await createTask(t.app, alice, { title: "paired \ud83d\ude00" })).title).toBe("paired 😀");
  });

  it("nothing refused was written", async () => {
    const fresh = await signUp(t.app, "Fresh");
    await post({ title: "a\u0000b" }, fresh);
    await post({ title: "" }, fresh);
    await post({ title: "x", id: "3f2504e0-4f89-41d3-9a0c-0305e82c3301" }, fresh);
    expect(await listAll(t.app, fresh)).toEqual([]);
  });
});

describe("list query parameters", () => {
  it("refuses out-of-range limits and unknown values", async () => {
    const cases: [string, string, string][] = [
      ["limit=0", "limit", "must be at least 1"],
      ["limit=201", "limit", "must be at most 200"],
      ["limit=ten", "limit", "must be an integer"],
      ["status=done", "status", "must be one of: all, pending, completed"],
      ["sort=priority", "sort", "must be one of: created_at, -created_at, updated_at, -updated_at, title, -title"],
      [`q=${"q".repeat(201)}`, "q", "must be at most 200 characters"],
      ["q=%00", "q", "must not contain NUL characters or unpaired surrogates"],
      ["search=milk", "search", "is not a known field"],
    ];
    for (const [query, field, message] of cases) {
      const response = await t.app.inject({ method: "GET", url: `${alice.tasksUrl}?${query}`, headers: alice.bearer });
      expect(response.statusCode, query).toBe(422);
      expect(response.json().error.details, query).toContainEqual({ field, message });
    }
  });
});
