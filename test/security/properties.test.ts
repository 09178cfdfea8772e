import { eq } from "drizzle-orm";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { account } from "../../src/server/db/schema/index.js";
import { buildTestApp, TEST_ORIGIN } from "../app.js";
import { createTask } from "../tasks.js";
import { signUp, type TestUser } from "../users.js";
import { expectEnvelope, snapshot } from "./actors.js";
import { loadOpenApi, minimalValue, type Operation, operationsOf, requestFor, resolve, resourceFields, unlistedKeys } from "./contract.js";

/**
 * Property-level authorization (OWASP API3): nobody writes a field the contract keeps for the
 * server, and no answer carries a field the contract does not list or another user's data.
 */
const t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: "1000000" });
const doc = await loadOpenApi(t.app);
const operations = operationsOf(doc);
const fields = resourceFields(doc, operations);

const writes = operations.filter((operation) => resolve(doc, operation.bodySchema)?.properties);
const massAssignment = writes.flatMap((operation) => {
  const accepted = Object.keys(resolve(doc, operation.bodySchema)!.properties!);
  return [...fields.keys()].filter((field) => !accepted.includes(field)).map((field) => ({ operation, field }));
});
console.log(`mass assignment: ${massAssignment.length} cases over ${writes.length} write operations`);

let owner: TestUser;
let other: TestUser;
let otherSecrets: string[];

beforeAll(async () => {
  owner = await signUp(t.app, "Owner");
  other = await signUp(t.app, "Other");
  const otherTask = await createTask(t.app, other, { title: "Other's secret plan", description: "Other's secret details" });
  otherSecrets = [other.id, other.email, otherTask.id, otherTask.title, otherTask.description!];
});
afterAll(() => t.close());

/** The owner's own request for this operation, on a fresh task of theirs. */
async function ownRequest(operation: Operation, body?: Record<string, unknown>) {
  const mine = await createTask(t.app, owner, { title: "Mine" });
  const request = requestFor(doc, operation, { userId: owner.id, objectId: mine.id, headers: owner.bearer });
  return body ? { ...request, payload: { ...(request.payload as object), ...body } } : request;
}

/** The body's keys are all in the contract's schema for this status, and nothing of the other user shows. */
function expectContractShape(operation: Operation, response: LightMyRequestResponse) {
  const label = `${operation.name} → ${response.statusCode}`;
  expect(operation.statuses, label).toContain(String(response.statusCode));
  expect({ label, unlisted: unlistedKeys(doc, operation.responses[String(response.statusCode)], response.json()) }).toEqual({ label, unlisted: [] });
  for (const secret of otherSecrets) expect(response.body, label).not.toContain(secret);
}

describe("mass assignment, generated from the OpenAPI document", () => {
  it("finds the read-only fields: id, user_id, created_at and updated_at", () => {
    expect(massAssignment.map((one) => one.field)).toEqual(expect.arrayContaining(["id", "user_id", "created_at", "updated_at"]));
  });

  it.each(massAssignment.map((one) => [`${one.operation.name} with ${one.field}`, one] as const))(
    "%s is a 422 naming the field, and the other user's data is unchanged",
    async (_name, { operation, field }) => {
      const before = await snapshot(t.app, other);
      const value = field === "user_id" ? other.id : minimalValue(doc, fields.get(field));
      const response = await t.app.inject(await ownRequest(operation, { [field]: value }));
      expectEnvelope(response, 422, "VALIDATION_ERROR", operation.name);
      expect(response.json().error.details).toContainEqual({ field, message: expect.any(String) });
      expect(await snapshot(t.app, other)).toEqual(before);
    },
  );

  it.each(writes.map((operation) => [operation.name, operation] as const))("%s accepts its minimal body (the control)", async (_name, operation) => {
    const response = await t.app.inject(await ownRequest(operation));
    expect(response.statusCode, response.body).toBeLessThan(300);
  });
});

describe("responses carry only what the contract lists", () => {
  it.each(operations.map((operation) => [operation.name, operation] as const))(
    "%s: success and error answers have only documented keys and nothing of another user",
    async (_name, operation) => {
      expectContractShape(operation, await t.app.inject(await ownRequest(operation)));
      const unauthenticated = requestFor(doc, operation, { userId: owner.id, objectId: other.id });
      expectContractShape(operation, await t.app.inject(unauthenticated));
      const forbidden = requestFor(doc, operation, { userId: other.id, objectId: other.id, headers: owner.bearer });
      expectContractShape(operation, await t.app.inject(forbidden));
    },
  );

  it("account answers never carry the password, its hash, or another user's session", async () => {
    const [stored] = await t.app.database.db.select({ password: account.password }).from(account).where(eq(account.userId, owner.id));
    expect(stored?.password).toBeTruthy();
    const answers = [
      await t.app.inject({
        method: "POST",
        url: "/api/auth/sign-in/email",
        headers: { origin: TEST_ORIGIN },
        payload: { email: owner.email, password: owner.password },
      }),
      await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: owner.cookie } }),
      await t.app.inject({ method: "GET", url: "/api/auth/list-sessions", headers: { cookie: owner.cookie } }),
      await t.app.inject({ method: "GET", url: "/api/auth/jwks" }),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(200);
      expect(answer.body).not.toContain(owner.password);
      expect(answer.body).not.toContain(stored!.password!);
      expect(answer.body).not.toMatch(/"(password|passwordHash|hash|privateKey|d)"\s*:/);
      for (const secret of [other.id, other.email, other.cookie.split("=")[1]!]) expect(answer.body).not.toContain(secret);
    }
  });
});
