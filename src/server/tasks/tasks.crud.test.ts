import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { signUp, type TestUser } from "../../../test/users.js";

let t: TestApp;
let alice: TestUser;

beforeAll(async () => {
  t = await buildTestApp();
  alice = await signUp(t.app, "Alice");
});
afterAll(() => t.close());

describe("tasks CRUD", () => {
  it("creates a task and answers 201 with a Location", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: alice.tasksUrl,
      headers: alice.bearer,
      payload: { title: "Buy milk" },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.success).toBe(true);
    expect(body.data.title).toBe("Buy milk");
    expect(response.headers.location).toBe(`${alice.tasksUrl}/${body.data.id}`);
  });
});
