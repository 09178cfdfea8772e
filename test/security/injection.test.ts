import { sql } from "drizzle-orm";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp } from "../app.js";
import { createTask, listAll } from "../tasks.js";
import { signUp, type TestUser } from "../users.js";
import { expectEnvelope } from "./actors.js";
import { loadOpenApi, type Operation, operationsOf, requestFor, resolve, type Schema } from "./contract.js";

/**
 * Hostile text in every string field and query parameter the contract lists (OWASP API8 and the
 * injection classes): stored exactly as sent (titles trimmed, as documented) or refused with 422,
 * and never a 5xx.
 */
const t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: "1000000" });
const doc = await loadOpenApi(t.app);
const operations = operationsOf(doc);

const HOSTILE_TEXT: Record<string, string> = {
  "SQL quote": "' OR '1'='1",
  "SQL statement": "x'); DROP TABLE task; --",
  "SQL comment and backslash": "\\'; -- /* */ \\\\",
  placeholder: "$1 $2 :name ?",
  "LIKE wildcards": "%_%\\%",
  "HTML and script": "<script>alert(document.cookie)</script><img src=x onerror=alert(1)>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, literal on purpose.
  "template and JSON": '{{7*7}} ${7*7} {"$gt": ""}',
  NUL: "before\u0000after",
  "lone high surrogate": "x\uD800y",
  "lone low surrogate": "\uDC00",
  "right-to-left override": "\u202Egnp.exe\u202C and \u200F\u200E marks",
  "zero-width and BOM": "\u200B\uFEFFhidden",
  "emoji and combining marks": "👩‍👩‍👧 e\u0301 🇫🇷",
  "10,000 characters": "x".repeat(10_000),
  "newlines and tabs": "line1\r\nline2\tend",
};

/** Whether a string schema (or one branch of it) takes this text, with the trimming the contract documents. */
const isString = (schema: Schema | undefined): boolean => {
  const resolved = resolve(doc, schema);
  return resolved?.type === "string" || (resolved?.anyOf ?? []).some(isString);
};

const bodyFields = operations.flatMap((operation) =>
  Object.entries(resolve(doc, operation.bodySchema)?.properties ?? {})
    .filter(([, schema]) => isString(schema) && resolve(doc, schema)?.format === undefined)
    .map(([field]) => ({ operation, field })),
);
const queryParameters = operations.flatMap((operation) =>
  operation.parameters.filter((parameter) => parameter.in === "query").map((parameter) => ({ operation, name: parameter.name })),
);
console.log(
  `hostile input: ${bodyFields.length} body fields and ${queryParameters.length} query parameters × ${Object.keys(HOSTILE_TEXT).length} payloads`,
);

let owner: TestUser;

beforeAll(async () => {
  owner = await signUp(t.app, "Owner");
});
afterAll(() => t.close());

function expectNeverServerError(response: LightMyRequestResponse, label: string) {
  expect({ label, status: response.statusCode < 500 }).toEqual({ label, status: true });
  expect(response.headers["content-type"], label).toMatch(/^application\/json/);
}

async function ownRequest(operation: Operation) {
  const mine = await createTask(t.app, owner, { title: "Target" });
  return requestFor(doc, operation, { userId: owner.id, objectId: mine.id, headers: owner.bearer });
}

describe("hostile text in every string body field", () => {
  it.each(bodyFields.map((one) => [`${one.operation.name} ${one.field}`, one] as const))(
    "%s: each payload is stored verbatim or refused with 422",
    async (_name, { operation, field }) => {
      for (const [payloadName, text] of Object.entries(HOSTILE_TEXT)) {
        const request = await ownRequest(operation);
        const response = await t.app.inject({ ...request, payload: { ...(request.payload as object), [field]: text } });
        const label = `${payloadName} in ${field}`;
        expectNeverServerError(response, label);
        if (response.statusCode === 422) {
          expectEnvelope(response, 422, "VALIDATION_ERROR", label);
          continue;
        }
        expect(response.statusCode, `${label}: ${response.body}`).toBeLessThan(300);
        const stored = response.json().data[field];
        expect([text, text.trim()], label).toContain(stored);
        const readBack = await t.app.inject({ method: "GET", url: `${owner.tasksUrl}/${response.json().data.id}`, headers: owner.bearer });
        expect(readBack.json().data[field], label).toBe(stored);
      }
    },
  );

  it("the tables are all still there (no statement was injected)", async () => {
    const tables = await t.app.database.db.execute(
      sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('task', 'user', 'session', 'account', 'jwks')`,
    );
    expect((tables as unknown as { rows: { n: number }[] }).rows[0]!.n).toBe(5);
  });
});

describe("hostile text in every query parameter", () => {
  it.each(queryParameters.map((one) => [`${one.operation.name} ?${one.name}`, one] as const))(
    "%s: each payload answers 200, 400 or 422 in the envelope",
    async (_name, { operation, name }) => {
      for (const [payloadName, text] of Object.entries(HOSTILE_TEXT)) {
        const request = await ownRequest(operation);
        const target = new URL(request.url, "http://localhost");
        target.searchParams.set(name, text);
        const url = `${target.pathname}${target.search}`;
        const response = await t.app.inject({ ...request, url });
        const label = `${payloadName} in ?${name}`;
        expectNeverServerError(response, label);
        expect([200, 400, 422], label).toContain(response.statusCode);
        if (response.statusCode !== 200) expectEnvelope(response, response.statusCode, undefined, label);
      }
    },
  );

  it("% and _ in the search are literal characters, and a quote matches a quote", async () => {
    const searcher = await signUp(t.app, "Searcher");
    for (const title of ["100% done", "snake_case", "plain words", "it's mine"]) await createTask(t.app, searcher, { title });
    const titles = async (q: string) => (await listAll(t.app, searcher, { q })).map((task) => task.title);
    expect(await titles("%")).toEqual(["100% done"]);
    expect(await titles("_")).toEqual(["snake_case"]);
    expect(await titles("'")).toEqual(["it's mine"]);
    expect(await titles("' OR '1'='1")).toEqual([]);
    expect(await titles("\\")).toEqual([]);
  });
});

describe("odd JSON", () => {
  it("deeply nested JSON within the body limit is refused with 400 or 422, never a 5xx", async () => {
    for (const depth of [100, 10_000, 30_000]) {
      for (const nested of ["[".repeat(depth) + "]".repeat(depth), `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`]) {
        const payload = nested.length < 64 * 1024 ? `{"title":"deep","description":${nested}}` : nested.slice(0, 60_000);
        const response = await t.app.inject({
          method: "POST",
          url: owner.tasksUrl,
          headers: { ...owner.bearer, "content-type": "application/json" },
          payload,
        });
        expectNeverServerError(response, `depth ${depth}`);
        expect([400, 422]).toContain(response.statusCode);
      }
    }
  });

  it("duplicate keys: the last one counts, as in JSON.parse, and what is stored is what is answered", async () => {
    const response = await t.app.inject({
      method: "POST",
      url: owner.tasksUrl,
      headers: { ...owner.bearer, "content-type": "application/json" },
      payload: '{"title":"first","title":"second","completed":false,"completed":true}',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().data).toMatchObject({ title: "second", completed: true });
  });

  it("numbers, booleans, arrays and objects where strings belong (and the reverse) are 422", async () => {
    const target = await createTask(t.app, owner, { title: "Typed" });
    const wrongTypes: Record<string, unknown>[] = [
      { title: 123 },
      { title: true },
      { title: ["a"] },
      { title: { text: "a" } },
      { title: "ok", description: 5 },
      { title: "ok", completed: "true" },
      { title: "ok", completed: 1 },
    ];
    for (const payload of wrongTypes) {
      expectEnvelope(
        await t.app.inject({ method: "POST", url: owner.tasksUrl, headers: owner.bearer, payload }),
        422,
        "VALIDATION_ERROR",
        JSON.stringify(payload),
      );
      const update = await t.app.inject({ method: "PATCH", url: `${owner.tasksUrl}/${target.id}`, headers: owner.bearer, payload });
      expectEnvelope(update, 422, "VALIDATION_ERROR", `PATCH ${JSON.stringify(payload)}`);
    }
    for (const body of ["123", '"text"', "null", "true", "[]"]) {
      const response = await t.app.inject({
        method: "POST",
        url: owner.tasksUrl,
        headers: { ...owner.bearer, "content-type": "application/json" },
        payload: body,
      });
      expectNeverServerError(response, body);
      expect([400, 422], body).toContain(response.statusCode);
    }
  });
});
