import { randomUUID } from "node:crypto";
import { Agent, request } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { count, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { task } from "../../src/server/db/schema/index.js";
import { buildTestApp, type TestApp } from "../app.js";
import { listAll } from "../tasks.js";
import { signUp, type TestUser } from "../users.js";

/**
 * Integrity under load, over real HTTP: many connections at once against one server, and afterwards
 * the database holds exactly what the clients were told, no more and no less.
 */
const USERS = 20;
const CREATES = 2_000;
const TOGGLES = 101;
const CONNECTIONS = 64;

let t: TestApp;
let users: TestUser[];
let agent: Agent;
let port: number;

interface Answer {
  status: number;
  body: { data?: { id: string; completed: boolean } };
}

function send(user: TestUser, method: string, path: string, body?: object, headers: Record<string, string> = {}): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        agent,
        host: "127.0.0.1",
        port,
        method,
        path,
        headers: { ...user.bearer, ...headers, ...(payload ? { "content-type": "application/json" } : {}) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
      },
    );
    outgoing.on("error", reject);
    outgoing.end(payload);
  });
}

/**
 * A careful client's create: with an Idempotency-Key, retried while the answer is a 503 (a pool wait
 * past DATABASE_CONNECT_TIMEOUT_MS on a saturated machine), so each create lands exactly once.
 */
async function create(user: TestUser, title: string, retries: { count: number }): Promise<Answer> {
  const key = randomUUID();
  for (let attempt = 1; ; attempt++) {
    const answer = await send(user, "POST", user.tasksUrl, { title }, { "idempotency-key": key });
    if (answer.status !== 503 || attempt === 20) return answer;
    retries.count++;
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

beforeAll(async () => {
  // The per-user limit (600 a minute by default) is not what this test is about.
  t = await buildTestApp({ RATE_LIMIT_PER_MINUTE: "1000000" });
  users = [];
  // One at a time: sign-up is password hashing, not the load under test.
  for (let index = 0; index < USERS; index++) users.push(await signUp(t.app, `Load ${index}`));
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  port = (t.app.server.address() as AddressInfo).port;
  agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
}, 120_000);
afterAll(async () => {
  agent?.destroy();
  await t.close();
});

describe("integrity under load", () => {
  it(`${CREATES} concurrent creates over ${USERS} users: exactly ${CREATES} rows, each user's count right, every acknowledged id readable`, async () => {
    const started = performance.now();
    const retries = { count: 0 };
    const answers = await Promise.all(
      Array.from({ length: CREATES }, async (_, index) => {
        const user = users[index % USERS]!;
        return { user, answer: await create(user, `load ${index}`, retries) };
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(answers.filter(({ answer }) => answer.status !== 201).map(({ answer }) => answer)).toEqual([]);
    console.info(
      `${CREATES} creates over ${CONNECTIONS} connections: ${seconds.toFixed(1)} s (${Math.round(CREATES / seconds)}/s), ${retries.count} retried after a 503`,
    );

    const [stored] = await t.app.database.db
      .select({ rows: count() })
      .from(task)
      .where(
        inArray(
          task.userId,
          users.map((user) => user.id),
        ),
      );
    expect(stored?.rows).toBe(CREATES);

    for (const user of users) {
      const acknowledged = answers.filter((entry) => entry.user === user).map(({ answer }) => answer.body.data!.id);
      expect(acknowledged).toHaveLength(CREATES / USERS);
      const listed = (await listAll(t.app, user, { limit: 200 })).map((listedTask) => listedTask.id);
      expect(new Set(listed)).toEqual(new Set(acknowledged));
    }
    const sample = answers.filter((_, index) => index % 50 === 0);
    const reads = await Promise.all(sample.map(({ user, answer }) => send(user, "GET", `${user.tasksUrl}/${answer.body.data!.id}`)));
    expect(reads.map((read) => read.status)).toEqual(sample.map(() => 200));
  }, 300_000);

  it(`${TOGGLES} concurrent toggles of one task leave it completed, as ${TOGGLES} sequential ones would`, async () => {
    const [owner] = users;
    const created = await send(owner!, "POST", owner!.tasksUrl, { title: "toggled" });
    const url = `${owner!.tasksUrl}/${created.body.data!.id}`;
    const toggles = await Promise.all(Array.from({ length: TOGGLES }, () => send(owner!, "PATCH", `${url}/complete`)));
    expect(toggles.map((toggle) => toggle.status)).toEqual(Array(TOGGLES).fill(200));
    // Each toggle saw a different state: 51 answers say completed, 50 say not.
    expect(toggles.filter((toggle) => toggle.body.data!.completed)).toHaveLength(Math.ceil(TOGGLES / 2));
    expect((await send(owner!, "GET", url)).body.data!.completed).toBe(true);
  }, 60_000);
});
