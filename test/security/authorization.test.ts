import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN } from "../app.js";
import { createTask } from "../tasks.js";
import { signUp, type TestUser } from "../users.js";
import { deleteAccount, expectEnvelope, nowSeconds, signWithServerKey, snapshot } from "./actors.js";
import { loadOpenApi, type Operation, objectParameters, operationsOf, requestFor } from "./contract.js";

/**
 * Object-level authorization (OWASP API1), generated: every operation the OpenAPI document lists
 * under /api/{user_id}/ meets every kind of wrong caller, and the victim's data, read through the
 * victim's own eyes and straight from the database, is byte-for-byte the same afterwards.
 */
const t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: "1000000" });
const doc = await loadOpenApi(t.app);
const operations = operationsOf(doc);

interface Actors {
  victim: TestUser;
  attacker: TestUser;
  ghost: TestUser;
  victimTaskId: string;
  ghostTaskId: string;
  expiredVictimToken: string;
}

interface Case {
  operation: Operation;
  who: string;
  status: number;
  code: string;
  request: (actors: Actors) => ReturnType<typeof requestFor>;
}

const onVictim = (operation: Operation, actors: Actors, headers: Record<string, string>, userId = actors.victim.id) =>
  requestFor(doc, operation, { userId, objectId: actors.victimTaskId, headers });

function casesOf(operation: Operation): Case[] {
  const cases: Omit<Case, "operation">[] = [
    { who: "no credentials", status: 401, code: "UNAUTHORIZED", request: (a) => onVictim(operation, a, {}) },
    { who: "another user's bearer token", status: 403, code: "FORBIDDEN", request: (a) => onVictim(operation, a, a.attacker.bearer) },
    {
      who: "another user's session cookie from the app's own origin",
      status: 403,
      code: "FORBIDDEN",
      request: (a) => onVictim(operation, a, { cookie: a.attacker.cookie, origin: TEST_ORIGIN }),
    },
    {
      who: "another user's session cookie without an Origin",
      status: 403,
      code: "FORBIDDEN",
      request: (a) => onVictim(operation, a, { cookie: a.attacker.cookie }),
    },
    {
      who: "the victim's own token, expired",
      status: 401,
      code: "UNAUTHORIZED",
      request: (a) => onVictim(operation, a, { authorization: `Bearer ${a.expiredVictimToken}` }),
    },
    {
      who: "a deleted account's still-unexpired token, on its own path",
      status: 401,
      code: "UNAUTHORIZED",
      request: (a) => requestFor(doc, operation, { userId: a.ghost.id, objectId: a.ghostTaskId, headers: a.ghost.bearer }),
    },
    {
      who: "a deleted account's session cookie, on its own path",
      status: 401,
      code: "UNAUTHORIZED",
      request: (a) =>
        requestFor(doc, operation, { userId: a.ghost.id, objectId: a.ghostTaskId, headers: { cookie: a.ghost.cookie, origin: TEST_ORIGIN } }),
    },
    {
      who: "a forged user_id: the victim's id, every character percent-encoded",
      status: 403,
      code: "FORBIDDEN",
      request: (a) => {
        const request = onVictim(operation, a, a.attacker.bearer);
        const encoded = [...a.victim.id].map((char) => `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");
        return { ...request, url: request.url.replace(encodeURIComponent(a.victim.id), encoded) };
      },
    },
    {
      who: "a forged user_id: the attacker's id in other letter case",
      status: 403,
      code: "FORBIDDEN",
      request: (a) => onVictim(operation, a, a.attacker.bearer, swapCase(a.attacker.id)),
    },
    {
      who: "a forged user_id: the attacker's id with a trailing NUL",
      status: 403,
      code: "FORBIDDEN",
      request: (a) => onVictim(operation, a, a.attacker.bearer, `${a.attacker.id}\u0000`),
    },
  ];
  if (objectParameters(operation).length > 0) {
    cases.push({
      who: "the attacker's own path with the victim's task id",
      status: 404,
      code: "NOT_FOUND",
      request: (a) => onVictim(operation, a, a.attacker.bearer, a.attacker.id),
    });
  }
  return cases.map((one) => ({ ...one, operation }));
}

function swapCase(text: string): string {
  return [...text].map((char) => (char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase())).join("");
}

const cases = operations.flatMap(casesOf);
console.log(`object-level authorization: ${cases.length} cases generated from ${operations.length} operations`);

let actors: Actors;

beforeAll(async () => {
  const victim = await signUp(t.app, "Victim");
  const attacker = await signUp(t.app, "Attacker");
  const ghost = await signUp(t.app, "Ghost");
  const victimTasks = [];
  for (const title of ["Private plan", "Second plan", "Third plan"])
    victimTasks.push(await createTask(t.app, victim, { title, description: `${title}, in detail` }));
  await createTask(t.app, attacker, { title: "Attacker's own task" });
  const ghostTask = await createTask(t.app, ghost, { title: "Doomed" });
  await deleteAccount(t.app, ghost);
  actors = {
    victim,
    attacker,
    ghost,
    victimTaskId: victimTasks[0]!.id,
    ghostTaskId: ghostTask.id,
    expiredVictimToken: await signWithServerKey(t.app, { sub: victim.id, iat: nowSeconds() - 3600, exp: nowSeconds() - 60 }),
  };
});
afterAll(() => t.close());

describe("object-level authorization, generated from the OpenAPI document", () => {
  it("finds the task operations in the document (the generator is not looking at nothing)", () => {
    expect(operations.map((operation) => operation.name)).toEqual(
      expect.arrayContaining(["GET /api/{user_id}/tasks", "POST /api/{user_id}/tasks", "DELETE /api/{user_id}/tasks/{task_id}"]),
    );
    expect(cases.length).toBeGreaterThanOrEqual(operations.length * 10);
  });

  it.each(cases.map((one) => [`${one.operation.name}: ${one.who} → ${one.status}`, one] as const))(
    "%s; the victim's data is unchanged",
    async (_name, { operation, status, code, request }) => {
      expect(operation.statuses, `${operation.name} must document ${status}`).toContain(String(status));
      const before = await snapshot(t.app, actors.victim);
      const response = await t.app.inject(request(actors));
      expectEnvelope(response, status, code, operation.name);
      expect(await snapshot(t.app, actors.victim)).toEqual(before);
    },
  );
});
