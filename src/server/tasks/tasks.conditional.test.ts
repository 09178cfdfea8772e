import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../../../test/app.js";
import { signUp, type TestUser } from "../../../test/users.js";
import type { Task } from "./tasks.schemas.js";

let t: TestApp;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  t = await buildTestApp();
  [alice, bob] = await Promise.all([signUp(t.app, "Alice"), signUp(t.app, "Bob")]);
});
afterAll(() => t.close());

const STRONG_ETAG = /^"[^"]+"$/;

type Write = "PUT" | "PATCH" | "toggle" | "DELETE";

function write(user: TestUser, id: string, kind: Write, headers: Record<string, string> = {}, payload?: object) {
  const url = `${user.tasksUrl}/${id}${kind === "toggle" ? "/complete" : ""}`;
  const method = kind === "toggle" ? "PATCH" : kind;
  const body = payload ?? (kind === "PUT" || kind === "PATCH" ? { title: `changed by ${kind}` } : undefined);
  return t.app.inject({ method, url, headers: { ...user.bearer, ...headers }, ...(body ? { payload: body } : {}) });
}

async function read(user: TestUser, id: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: "GET", url: `${user.tasksUrl}/${id}`, headers: { ...user.bearer, ...headers } });
}

/** A task and the ETag its creation answered with. */
async function freshTask(user = alice): Promise<{ task: Task; etag: string }> {
  const response = await t.app.inject({ method: "POST", url: user.tasksUrl, headers: user.bearer, payload: { title: "original" } });
  expect(response.statusCode).toBe(201);
  return { task: response.json().data, etag: response.headers.etag as string };
}

describe("ETag", () => {
  it("every single-task answer carries a strong ETag naming the task's current version", async () => {
    const { task, etag } = await freshTask();
    expect(etag).toMatch(STRONG_ETAG);
    const got = await read(alice, task.id);
    expect(got.headers.etag).toBe(etag);

    const etags = [etag];
    for (const kind of ["PUT", "PATCH", "toggle"] as const) {
      const response = await write(alice, task.id, kind);
      expect(response.statusCode).toBe(200);
      expect(response.headers.etag).toMatch(STRONG_ETAG);
      expect((await read(alice, task.id)).headers.etag).toBe(response.headers.etag);
      etags.push(response.headers.etag as string);
    }
    expect(new Set(etags).size).toBe(4);
  });

  it("two tasks never share an ETag, even when created in the same millisecond", async () => {
    const [one, two] = await Promise.all([freshTask(), freshTask()]);
    expect(one.etag).not.toBe(two.etag);
  });
});

describe("If-Match on writes", () => {
  it.each(["PUT", "PATCH", "toggle", "DELETE"] as const)("%s with the current ETag succeeds", async (kind) => {
    const { task, etag } = await freshTask();
    const response = await write(alice, task.id, kind, { "if-match": etag });
    expect(response.statusCode, response.body).toBe(200);
  });

  it.each(["PUT", "PATCH", "toggle", "DELETE"] as const)("%s with a stale ETag is 412 and changes nothing", async (kind) => {
    const { task, etag } = await freshTask();
    const changed = await write(alice, task.id, "PATCH", {}, { description: "someone else was here" });
    const current = changed.json().data;

    const response = await write(alice, task.id, kind, { "if-match": etag });
    expect(response.statusCode).toBe(412);
    expect(response.json()).toEqual({
      success: false,
      error: { code: "PRECONDITION_FAILED", message: expect.stringContaining("changed") },
    });
    const after = await read(alice, task.id);
    expect(after.json().data).toEqual(current);
    expect(after.headers.etag).toBe(changed.headers.etag);
  });

  it('accepts "*" and a list that names the current version; weak tags never match (strong comparison)', async () => {
    const { task, etag } = await freshTask();
    const stale = (await write(alice, task.id, "PATCH", { "if-match": "*" })).headers.etag as string;
    const current = (await write(alice, task.id, "PATCH", { "if-match": `"other", ${etag} , ${stale}` }, { title: "second" })).headers.etag as string;
    expect(current).toMatch(STRONG_ETAG);
    expect((await write(alice, task.id, "toggle", { "if-match": `W/${current}` })).statusCode).toBe(412);
    expect((await write(alice, task.id, "toggle", { "if-match": `"${task.id}.0", "not-ours"` })).statusCode).toBe(412);
    expect((await write(alice, task.id, "toggle", { "if-match": `${etag}, ${current}` })).statusCode).toBe(200);
  });

  it.each(["", "abc", '"unterminated', 'W/"a" "b"', "*, *", '"a", *', '"a"b'])(
    "a malformed If-Match (%j) is 400 and changes nothing",
    async (ifMatch) => {
      const { task } = await freshTask();
      const response = await write(alice, task.id, "PUT", { "if-match": ifMatch });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toEqual({ code: "BAD_REQUEST", message: expect.stringContaining("If-Match") });
      expect((await read(alice, task.id)).json().data).toEqual(task);
    },
  );

  it("an If-Match naming a time after year 9999 matches no version: 412, never a 500", async () => {
    const { task } = await freshTask();
    for (const kind of ["PUT", "PATCH", "toggle", "DELETE"] as const) {
      for (const ms of ["253402300800000", "999999999999999"]) {
        const response = await write(alice, task.id, kind, { "if-match": `"${task.id}.${ms}"` });
        expect(response.statusCode, `${kind} ${ms}: ${response.body}`).toBe(412);
        expect(response.json().error.code).toBe("PRECONDITION_FAILED");
      }
    }
    expect((await read(alice, task.id)).json().data.title).toBe("original");
  });

  it("a missing task is 404 under If-Match, and another user's task stays 404 even with its current ETag", async () => {
    const { task, etag } = await freshTask(bob);
    for (const kind of ["PUT", "PATCH", "toggle", "DELETE"] as const) {
      for (const ifMatch of [etag, "*", '"stale"']) {
        const response = await write(alice, task.id, kind, { "if-match": ifMatch });
        expect(response.statusCode, `${kind} ${ifMatch}`).toBe(404);
        expect(response.json().error.code).toBe("NOT_FOUND");
      }
    }
    expect((await read(bob, task.id)).json().data).toEqual(task);

    expect((await write(bob, task.id, "DELETE", { "if-match": etag })).statusCode).toBe(200);
    expect((await write(bob, task.id, "PATCH", { "if-match": etag })).statusCode).toBe(404);
  });
});

describe("If-None-Match on reads", () => {
  it("answers 304 with the ETag and no body while the version is current, 200 once it changed", async () => {
    const { task, etag } = await freshTask();
    const unchanged = await read(alice, task.id, { "if-none-match": `"x", W/${etag}` });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.body).toBe("");
    expect(unchanged.headers.etag).toBe(etag);
    expect((await read(alice, task.id, { "if-none-match": "*" })).statusCode).toBe(304);

    await write(alice, task.id, "toggle");
    const changed = await read(alice, task.id, { "if-none-match": etag });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().data.completed).toBe(true);
    expect((await read(alice, task.id, { "if-none-match": "garbage" })).statusCode).toBe(200);
  });
});

describe("racing conditional writes", () => {
  const CLIENTS = 20;
  const ROUNDS = 3;

  it(`of ${CLIENTS} clients writing the version they read, exactly one wins per version; the others get 412`, async () => {
    const { task, etag: first } = await freshTask();
    let etag = first;
    for (let round = 0; round < ROUNDS; round++) {
      const kinds: Write[] = ["PUT", "PATCH", "toggle"];
      const responses = await Promise.all(
        Array.from({ length: CLIENTS }, (_, client) => {
          const kind = kinds[client % kinds.length]!;
          const payload = kind === "toggle" ? undefined : { title: `round ${round} client ${client}` };
          return write(alice, task.id, kind, { "if-match": etag }, payload);
        }),
      );
      const statuses = responses.map((response) => response.statusCode);
      const winners = responses.filter((response) => response.statusCode === 200);
      expect(winners, JSON.stringify(statuses)).toHaveLength(1);
      expect(statuses.filter((status) => status === 412)).toHaveLength(CLIENTS - 1);

      // The task is exactly what the winner was told: no loser's write landed before or after it.
      const winner = winners[0]!;
      const stored = await read(alice, task.id);
      expect(stored.json().data).toEqual(winner.json().data);
      expect(stored.headers.etag).toBe(winner.headers.etag);
      etag = winner.headers.etag as string;
    }
  });
});
