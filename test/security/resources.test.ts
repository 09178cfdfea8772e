import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task } from "../../src/server/db/schema/index.js";
import { BODY_LIMIT } from "../../src/server/http/envelope.js";
import { buildTestApp, TEST_SECRET, type TestApp } from "../app.js";
import { createTestDatabase } from "../database.js";
import { startServer } from "../server-process.js";
import { createTask } from "../tasks.js";
import { signUp, type TestUser } from "../users.js";
import { expectEnvelope } from "./actors.js";
import { loadOpenApi, type OpenApiDocument, type Operation, operationsOf, requestFor, resolve } from "./contract.js";

/** Unrestricted resource consumption (OWASP API4): every size, count and time a client controls is bounded. */
const RATE_LIMIT = 5;
let t: TestApp;
let doc: OpenApiDocument;
let operations: Operation[];
let owner: TestUser;

beforeAll(async () => {
  t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: "1000000" });
  doc = await loadOpenApi(t.app);
  operations = operationsOf(doc);
  owner = await signUp(t.app, "Owner");
});
afterAll(() => t.close());

async function ownRequest(operation: Operation) {
  const mine = await createTask(t.app, owner, { title: "Target" });
  return requestFor(doc, operation, { userId: owner.id, objectId: mine.id, headers: owner.bearer });
}

describe("sizes", () => {
  it("every operation that takes a body answers 413 in the envelope to one byte over 64 KiB", async () => {
    const withBody = operations.filter((operation) => operation.bodySchema);
    expect(withBody.length).toBeGreaterThan(0);
    for (const operation of withBody) {
      const request = await ownRequest(operation);
      const payload = JSON.stringify({ padding: "x".repeat(BODY_LIMIT) }).slice(0, BODY_LIMIT + 1);
      const response = await t.app.inject({ ...request, payload, headers: { ...request.headers, "content-type": "application/json" } });
      expectEnvelope(response, 413, "PAYLOAD_TOO_LARGE", operation.name);
    }
  });

  it("every bounded query parameter (limit, q, cursor) answers 422 one past its bound and 200 at it", async () => {
    let checked = 0;
    for (const operation of operations) {
      for (const parameter of operation.parameters.filter((candidate) => candidate.in === "query")) {
        const schema = resolve(doc, parameter.schema);
        const bounds: [string, string][] = [];
        if (schema?.maximum !== undefined) bounds.push([String(schema.maximum), String(schema.maximum + 1)]);
        if (schema?.minimum !== undefined) bounds.push([String(schema.minimum), String(schema.minimum - 1)]);
        if (schema?.maxLength !== undefined) bounds.push(["q".repeat(schema.maxLength), "q".repeat(schema.maxLength + 1)]);
        for (const [inside, outside] of bounds) {
          const request = await ownRequest(operation);
          const over = await t.app.inject({ ...request, url: `${request.url}?${parameter.name}=${outside}` });
          expectEnvelope(over, 422, "VALIDATION_ERROR", `${operation.name} ?${parameter.name}=${outside.slice(0, 12)}`);
          // A cursor of the maximum length is still no valid cursor (400): only the length is judged here.
          const at = await t.app.inject({ ...request, url: `${request.url}?${parameter.name}=${inside}` });
          expect([200, 400], `${operation.name} ?${parameter.name} at its bound`).toContain(at.statusCode);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it("a page never holds more than 200 tasks, whatever limit is asked", async () => {
    const many = await signUp(t.app, "Many");
    // Rows straight into the table: 205 requests would only measure the pool.
    await t.app.database.db.insert(task).values(Array.from({ length: 205 }, (_, index) => ({ userId: many.id, title: `Task ${index}` })));
    for (const limit of ["200", "201", "1000000", "1e9", "-1", "0", "NaN"]) {
      const response = await t.app.inject({ method: "GET", url: `${many.tasksUrl}?limit=${limit}`, headers: many.bearer });
      if (response.statusCode === 200) expect(response.json().data.length).toBeLessThanOrEqual(200);
      else expectEnvelope(response, 422, "VALIDATION_ERROR", `limit=${limit}`);
    }
    const unbounded = await t.app.inject({ method: "GET", url: many.tasksUrl, headers: many.bearer });
    expect(unbounded.json().data.length).toBe(50);
  });
});

describe("request rates", () => {
  it(`the task API allows ${RATE_LIMIT} requests per user per minute across all its operations, then 429 with Retry-After on every one`, {
    timeout: 60_000,
  }, async () => {
    const limited = await buildTestApp({ RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) });
    try {
      const limitedDoc = await loadOpenApi(limited.app);
      const busy = await signUp(limited.app, "Busy");
      const quiet = await signUp(limited.app, "Quiet");
      const taskIds = [];
      // The token exchange and sign-up are account routes: they do not count against the task API.
      for (let index = 0; index < RATE_LIMIT; index += 1) {
        taskIds.push(
          (await limited.app.inject({ method: "POST", url: busy.tasksUrl, headers: busy.bearer, payload: { title: `t${index}` } })).statusCode,
        );
      }
      expect(taskIds).toEqual(Array(RATE_LIMIT).fill(201));
      for (const operation of operationsOf(limitedDoc)) {
        expect(operation.statuses, operation.name).toContain("429");
        const response = await limited.app.inject(requestFor(limitedDoc, operation, { userId: busy.id, objectId: busy.id, headers: busy.bearer }));
        expectEnvelope(response, 429, "RATE_LIMITED", operation.name);
        expect(Number(response.headers["retry-after"])).toBeGreaterThan(0);
        expect(Number(response.headers["retry-after"])).toBeLessThanOrEqual(60);
      }
      expect((await limited.app.inject({ method: "GET", url: quiet.tasksUrl, headers: quiet.bearer })).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it(`requests without valid credentials are limited per address: after ${RATE_LIMIT} failures, 429 before any credential check`, {
    timeout: 60_000,
  }, async () => {
    const limited = await buildTestApp({ RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) });
    try {
      const user = await signUp(limited.app, "Neighbour");
      const flood = (remoteAddress: string, headers: Record<string, string>) =>
        limited.app.inject({ method: "GET", url: user.tasksUrl, headers, remoteAddress });
      const statuses = [];
      for (let index = 0; index < RATE_LIMIT + 2; index += 1) {
        const headers: Record<string, string> = index % 2 === 0 ? {} : { cookie: "better-auth.session_token=forged.value" };
        statuses.push((await flood("203.0.113.7", headers)).statusCode);
      }
      expect(statuses).toEqual([...Array(RATE_LIMIT).fill(401), 429, 429]);
      const refused = await flood("203.0.113.7", user.bearer);
      expectEnvelope(refused, 429, "RATE_LIMITED");
      expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
      // Another address, with good credentials, is served.
      expect((await flood("203.0.113.8", user.bearer)).statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("slow clients against a real server process", () => {
  it("a client that sends its headers a byte at a time is cut off within the 10 s header timeout, while others are served", {
    timeout: 120_000,
  }, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "ticked-slow-"));
    const database = await createTestDatabase();
    const env: Record<string, string> = { DATA_DIR: dataDir, BETTER_AUTH_SECRET: TEST_SECRET };
    if (database.kind === "postgres") env.DATABASE_URL = database.url!;
    else await database.database.close();
    // A loaded machine can take long to start a server; the bound under test starts after that.
    const server = await startServer(env, 60_000);
    try {
      const { port } = new URL(server.url);
      const socket = connect(Number(port), "127.0.0.1");
      const started = Date.now();
      let received = "";
      socket.on("data", (chunk) => (received += chunk));
      const closed = new Promise<number>((resolve) => socket.on("close", () => resolve(Date.now() - started)));
      socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n");
      const drip = setInterval(() => socket.writable && socket.write("X"), 250);
      // Meanwhile, an ordinary request is served at once.
      const healthy = await fetch(`${server.url}/healthz`);
      expect(healthy.status).toBe(200);
      const elapsed = await closed;
      clearInterval(drip);
      expect(elapsed).toBeGreaterThanOrEqual(9_000);
      // 10 s plus at most one 1 s check, with room for a loaded machine; Node's defaults take 30 s or more.
      expect(elapsed).toBeLessThan(16_000);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await server.stop();
      if (database.kind === "postgres") await database.database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
