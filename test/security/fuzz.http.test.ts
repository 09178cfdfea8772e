import fc from "fast-check";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/server/http/envelope.js";
import { buildTestApp, TEST_ORIGIN } from "../app.js";
import { createTask } from "../tasks.js";
import { signUp, type TestUser } from "../users.js";
import { loadOpenApi, minimalValue, type Operation, operationsOf } from "./contract.js";
import { fuzzSettings, oddText } from "./fuzz.js";

/**
 * Random method × route × headers × bodies, the bodies grown from the contract's schemas and then
 * mutated. Whatever arrives: never a 5xx; under /api/ (but /api/auth) always the envelope, with a
 * code that matches the status; never a success without valid credentials.
 */
const t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: "1000000" });
const doc = await loadOpenApi(t.app);
const operations = operationsOf(doc, "/");
const fuzz = fuzzSettings(400);

let owner: TestUser;
let other: TestUser;
const taskIds: string[] = [];

beforeAll(async () => {
  owner = await signUp(t.app, "Fuzzed");
  other = await signUp(t.app, "Bystander");
  for (const user of [owner, other]) taskIds.push((await createTask(t.app, user, { title: "Seed task" })).id);
});
afterAll(() => t.close());

type Credentials = "none" | "own bearer" | "other bearer" | "own cookie" | "own cookie, foreign origin" | "garbage";

const credentialHeaders = (kind: Credentials): Record<string, string> =>
  ({
    none: {},
    "own bearer": owner.bearer,
    "other bearer": other.bearer,
    "own cookie": { cookie: owner.cookie, origin: TEST_ORIGIN },
    "own cookie, foreign origin": { cookie: owner.cookie, origin: "https://evil.example" },
    garbage: { authorization: "Bearer not.a.token" },
  })[kind];

/** A JSON value grown from the schema, then perhaps mutated: a field dropped, added, or retyped. */
const operationNamed = (name: string) => operations.find((operation) => operation.name === name)!;

const bodyFor = (operation: Operation | undefined) =>
  fc
    .record({
      mutation: fc.constantFrom("none", "drop", "add", "retype", "replace"),
      field: fc.constantFrom("title", "description", "completed", "id", "user_id", "ids", "__proto__", "x"),
      value: fc.oneof(oddText, fc.jsonValue({ maxDepth: 3 }), fc.boolean(), fc.integer()),
    })
    .map(({ mutation, field, value }) => {
      const base = operation?.bodySchema ? (minimalValue(doc, operation.bodySchema, { uuid: () => taskIds[0]! }) as Record<string, unknown>) : {};
      const body = { ...base };
      if (mutation === "drop") delete body[Object.keys(body)[0] ?? field];
      if (mutation === "add") body[field] = value;
      if (mutation === "retype") body[Object.keys(body)[0] ?? field] = value;
      return mutation === "replace" ? value : body;
    });

const requestShapes = () =>
  fc
    .record({
      // By name, so a counterexample prints one line, not the whole schema.
      operation: fc.constantFrom(...operations.map((operation) => operation.name)),
      method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "same"),
      userId: fc.constantFrom("owner", "other", "garbage"),
      objectId: fc.oneof(fc.constantFrom(...taskIds), fc.uuid(), fc.constantFrom("not-a-uuid", "%2e%2e", "'")),
      credentials: fc.constantFrom<Credentials>("none", "own bearer", "other bearer", "own cookie", "own cookie, foreign origin", "garbage"),
      query: fc.dictionary(fc.constantFrom("status", "q", "sort", "limit", "cursor", "x"), oddText, { maxKeys: 3 }),
      contentType: fc.constantFrom("application/json", "application/json; charset=utf-8", "text/plain", "none"),
      sendBody: fc.boolean(),
    })
    .chain((shape) => bodyFor(operationNamed(shape.operation)).map((body) => ({ ...shape, body })));

type Shape = ReturnType<typeof requestShapes> extends fc.Arbitrary<infer T> ? T : never;

function toRequest(shape: Shape) {
  const userId = shape.userId === "owner" ? owner.id : shape.userId === "other" ? other.id : "garbage";
  const operation = operationNamed(shape.operation);
  const path = operation.path.replace(/\{(\w+)\}/g, (_match, name: string) => encodeURIComponent(name === "user_id" ? userId : shape.objectId));
  const query = new URLSearchParams(shape.query).toString();
  const method = shape.method === "same" ? operation.method : shape.method;
  const headers: Record<string, string> = { ...credentialHeaders(shape.credentials) };
  if (shape.contentType !== "none") headers["content-type"] = shape.contentType;
  const options: InjectOptions = { method: method as "GET", url: query ? `${path}?${query}` : path, headers };
  if (shape.sendBody && !["GET", "HEAD"].includes(method)) options.payload = JSON.stringify(shape.body) ?? "null";
  return { options, path, method, userId };
}

let requests = 0;

describe("HTTP fuzzing", () => {
  it(`random requests (${fuzz.runs} runs): no 5xx, the envelope under /api/, statuses matching codes`, { timeout: fuzz.timeout }, async () => {
    console.log(`HTTP fuzz: ${fuzz.runs} runs, seed ${fuzz.seed} (replay with FUZZ_SEED=${fuzz.seed})`);
    await fc.assert(
      fc.asyncProperty(requestShapes(), async (shape) => {
        const { options, path, method, userId } = toRequest(shape);
        const response = await t.app.inject(options);
        requests += 1;
        const label = `${method} ${options.url} (${shape.credentials}) → ${response.statusCode} ${response.body.slice(0, 200)}`;

        expect(response.statusCode, label).toBeLessThan(500);
        const enveloped = path.startsWith("/api/") && !path.startsWith("/api/auth") && method !== "HEAD";
        if (enveloped && method !== "OPTIONS") {
          const body = response.json();
          if (response.statusCode >= 400) {
            expect(body.success, label).toBe(false);
            expect(ERROR_CODES[body.error.code as keyof typeof ERROR_CODES], label).toBe(response.statusCode);
            expect(typeof body.error.message, label).toBe("string");
          } else {
            expect(body.success, label).toBe(true);
          }
        }
        // Nothing under a user's path succeeds without that user's own valid credentials.
        if (path.startsWith("/api/") && !path.startsWith("/api/auth") && response.statusCode < 400 && method !== "OPTIONS") {
          // A cookie read from another origin is served: the browser keeps that page from reading it (CORS).
          const ownCookie = ["GET", "HEAD"].includes(method) ? ["own cookie", "own cookie, foreign origin"] : ["own cookie"];
          const allowed = userId === owner.id ? ["own bearer", ...ownCookie] : userId === other.id ? ["other bearer"] : [];
          expect(allowed, label).toContain(shape.credentials);
        }
      }),
      fuzz.parameters,
    );
    console.log(`HTTP fuzz: ${requests} requests`);
  });

  // The CI budget is small; this shows it is not spent on one kind of answer.
  it("the fuzzer reaches the interesting answers: successes, 401, 403, 404, 405, 415 and 422 all occur", { timeout: 60_000 }, async () => {
    const seen = new Set<number>();
    for (const shape of fc.sample(requestShapes(), { numRuns: 300, seed: fuzz.seed })) {
      seen.add((await t.app.inject(toRequest(shape).options)).statusCode);
    }
    expect([...seen].filter((status) => status < 300).length).toBeGreaterThan(0);
    for (const status of [401, 403, 404, 405, 415, 422]) expect([...seen], String(status)).toContain(status);
  });
});
