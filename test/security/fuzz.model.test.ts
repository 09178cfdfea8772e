import { randomUUID } from "node:crypto";
import { inArray } from "drizzle-orm";
import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task } from "../../src/server/db/schema/index.js";
import type { Task } from "../../src/server/tasks/tasks.schemas.js";
import { buildTestApp } from "../app.js";
import { signUp, type TestUser } from "../users.js";
import { fuzzSettings } from "./fuzz.js";

/**
 * Model-based: random sequences of create, update, toggle, delete, list and attempts on the other
 * user's tasks, by two users, run against the API and against an in-memory model. After every step
 * each user's whole list, as the API shows it, equals the model's.
 */
const t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: "1000000" });
const fuzz = fuzzSettings(20);

type Fields = Pick<Task, "title" | "description" | "completed">;
type Model = [Map<string, Fields>, Map<string, Fields>];
interface Real {
  users: [TestUser, TestUser];
}

let users: [TestUser, TestUser];
let requests = 0;

beforeAll(async () => {
  users = [await signUp(t.app, "Ann"), await signUp(t.app, "Ben")];
});
afterAll(() => t.close());

async function send(options: InjectOptions) {
  requests += 1;
  const response = await t.app.inject(options);
  return { status: response.statusCode, body: response.json() };
}

/** Every task of the user, as the API lists them (all pages), in the model's shape. */
async function listed(user: TestUser, status = "all"): Promise<Record<string, Fields>> {
  const all: Task[] = [];
  let cursor: string | null = null;
  do {
    const { status: code, body } = await send({
      method: "GET",
      url: `${user.tasksUrl}?status=${status}&limit=200${cursor ? `&cursor=${cursor}` : ""}`,
      headers: user.bearer,
    });
    expect(code).toBe(200);
    all.push(...body.data);
    cursor = body.meta.next_cursor;
  } while (cursor);
  return Object.fromEntries(all.map(({ id, title, description, completed }) => [id, { title, description, completed }]));
}

const expected = (tasks: Map<string, Fields>, status = "all") =>
  Object.fromEntries([...tasks].filter(([, fields]) => status === "all" || fields.completed === (status === "completed")));

async function compare(model: Model) {
  for (const index of [0, 1] as const) expect(await listed(users[index])).toEqual(expected(model[index]));
}

/** The model's id for a reference: the nth of the user's tasks, or an id nobody has when there are none. */
const pick = (tasks: Map<string, Fields>, ref: number) => [...tasks.keys()][ref % Math.max(tasks.size, 1)] ?? randomUUID();

const who = fc.constantFrom(0 as const, 1 as const);
const title = fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim().length > 0);
const description = fc.option(fc.string({ maxLength: 60 }), { nil: null });

class Create implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: 0 | 1,
    readonly fields: { title: string; description?: string | null; completed?: boolean },
  ) {}
  check = () => true;
  async run(model: Model) {
    const { status, body } = await send({ method: "POST", url: users[this.user].tasksUrl, headers: users[this.user].bearer, payload: this.fields });
    expect(status).toBe(201);
    const description = this.fields.description === "" ? null : (this.fields.description ?? null);
    model[this.user].set(body.data.id, { title: this.fields.title.trim(), description, completed: this.fields.completed ?? false });
    await compare(model);
  }
  toString = () => `Create(${this.user}, ${JSON.stringify(this.fields)})`;
}

class Update implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: 0 | 1,
    readonly ref: number,
    readonly method: "PUT" | "PATCH",
    readonly fields: Partial<Fields>,
  ) {}
  check = () => true;
  async run(model: Model) {
    const tasks = model[this.user];
    const id = pick(tasks, this.ref);
    const { status } = await send({
      method: this.method,
      url: `${users[this.user].tasksUrl}/${id}`,
      headers: users[this.user].bearer,
      payload: this.fields,
    });
    const current = tasks.get(id);
    expect(status).toBe(current ? 200 : 404);
    if (current) {
      const next = { ...current, ...this.fields };
      if (this.fields.title !== undefined) next.title = this.fields.title.trim();
      if (this.fields.description === "") next.description = null;
      tasks.set(id, next);
    }
    await compare(model);
  }
  toString = () => `Update(${this.user}, #${this.ref}, ${this.method}, ${JSON.stringify(this.fields)})`;
}

class Toggle implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: 0 | 1,
    readonly ref: number,
    readonly value: boolean | undefined,
  ) {}
  check = () => true;
  async run(model: Model) {
    const tasks = model[this.user];
    const id = pick(tasks, this.ref);
    const payload = this.value === undefined ? undefined : { completed: this.value };
    const { status, body } = await send({
      method: "PATCH",
      url: `${users[this.user].tasksUrl}/${id}/complete`,
      headers: users[this.user].bearer,
      payload,
    });
    const current = tasks.get(id);
    expect(status).toBe(current ? 200 : 404);
    if (current) {
      tasks.set(id, { ...current, completed: this.value ?? !current.completed });
      expect(body.data.completed).toBe(tasks.get(id)!.completed);
    }
    await compare(model);
  }
  toString = () => `Toggle(${this.user}, #${this.ref}, ${this.value})`;
}

class Delete implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: 0 | 1,
    readonly ref: number,
  ) {}
  check = () => true;
  async run(model: Model) {
    const tasks = model[this.user];
    const id = pick(tasks, this.ref);
    const { status } = await send({ method: "DELETE", url: `${users[this.user].tasksUrl}/${id}`, headers: users[this.user].bearer });
    expect(status).toBe(tasks.has(id) ? 200 : 404);
    tasks.delete(id);
    await compare(model);
  }
  toString = () => `Delete(${this.user}, #${this.ref})`;
}

/** A user aims at the other user's task through their own path: 404, as if it did not exist. */
class Trespass implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: 0 | 1,
    readonly ref: number,
    readonly action: "GET" | "PATCH" | "DELETE" | "toggle",
  ) {}
  check = (model: Readonly<Model>) => model[this.user === 0 ? 1 : 0].size > 0;
  async run(model: Model) {
    const id = pick(model[this.user === 0 ? 1 : 0], this.ref);
    const url = `${users[this.user].tasksUrl}/${id}${this.action === "toggle" ? "/complete" : ""}`;
    const method = this.action === "toggle" ? "PATCH" : this.action;
    const payload = this.action === "PATCH" ? { title: "Trespassed" } : undefined;
    const { status, body } = await send({ method, url, headers: users[this.user].bearer, payload });
    expect({ status, code: body.error?.code }).toEqual({ status: 404, code: "NOT_FOUND" });
    await compare(model);
  }
  toString = () => `Trespass(${this.user}, #${this.ref}, ${this.action})`;
}

class List implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly user: 0 | 1,
    readonly status: "all" | "pending" | "completed",
  ) {}
  check = () => true;
  async run(model: Model) {
    expect(await listed(users[this.user], this.status)).toEqual(expected(model[this.user], this.status));
  }
  toString = () => `List(${this.user}, ${this.status})`;
}

const commands = [
  fc
    .tuple(
      who,
      fc.record(
        { title, description: fc.option(description, { nil: undefined }), completed: fc.option(fc.boolean(), { nil: undefined }) },
        { requiredKeys: ["title"] },
      ),
    )
    .map(([user, fields]) => new Create(user, fields)),
  fc
    .tuple(
      who,
      fc.nat(),
      fc.constantFrom("PUT" as const, "PATCH" as const),
      fc.record({ title, description, completed: fc.boolean() }, { requiredKeys: [] }),
    )
    .filter(([, , , fields]) => Object.keys(fields).length > 0)
    .map(([user, ref, method, fields]) => new Update(user, ref, method, fields)),
  fc.tuple(who, fc.nat(), fc.option(fc.boolean(), { nil: undefined })).map(([user, ref, value]) => new Toggle(user, ref, value)),
  fc.tuple(who, fc.nat()).map(([user, ref]) => new Delete(user, ref)),
  fc
    .tuple(who, fc.nat(), fc.constantFrom("GET" as const, "PATCH" as const, "DELETE" as const, "toggle" as const))
    .map(([user, ref, action]) => new Trespass(user, ref, action)),
  fc.tuple(who, fc.constantFrom("all" as const, "pending" as const, "completed" as const)).map(([user, status]) => new List(user, status)),
];

describe("model-based", () => {
  it(`two users' random command sequences (${fuzz.runs} runs) match an in-memory model after every step`, { timeout: fuzz.timeout * 3 }, async () => {
    console.log(`model fuzz: ${fuzz.runs} runs, seed ${fuzz.seed} (replay with FUZZ_SEED=${fuzz.seed})`);
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 20 }), async (sequence) => {
        // Each run starts both users from no tasks; the model starts empty too.
        await t.app.database.db.delete(task).where(
          inArray(
            task.userId,
            users.map((user) => user.id),
          ),
        );
        steps += [...sequence].length;
        await fc.asyncModelRun(() => ({ model: [new Map(), new Map()] as Model, real: { users } }), sequence);
      }),
      fuzz.parameters,
    );
    console.log(`model fuzz: ${steps} commands, ${requests} requests`);
    expect(steps).toBeGreaterThan(0);
  });
});
