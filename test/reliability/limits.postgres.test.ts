import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, databaseUrl, dropDatabase } from "../../scripts/postgres-databases.js";
import { SIGN_IN_FAILURES_MAX } from "../../src/server/auth/auth.plugin.js";
import { USER_REQUESTS_SYNC_MS } from "../../src/server/auth/user-guard.js";
import { type ServerProcess, STARTUP_MS, signUpOver, startServer } from "../server-process.js";

/**
 * Limits hold across instances (issue 15, finding 4): two server processes on one PostgreSQL count
 * against the same numbers, so a second instance is no second budget of guesses.
 */
const template = inject("testDatabase");
if (template.kind !== "postgres") throw new Error("this suite needs the postgres project");
const name = `${template.prefix}limits_${randomBytes(4).toString("hex")}`;
const RATE_LIMIT = 20;
// Ports 9720-9729 are this suite's (9700-9749 belong to the limit tests).
const PORTS = [9720, 9721];
/** The origin users see: the load balancer in front of both instances. */
const publicUrl = "http://localhost:9722";

let dataDirs: string[] = [];
let instances: ServerProcess[] = [];

beforeAll(async () => {
  await createDatabase(template.adminUrl, name, template.template);
  const shared = {
    DATABASE_URL: databaseUrl(template.adminUrl, name),
    NODE_ENV: "test",
    BETTER_AUTH_SECRET: "limits-test-secret-".padEnd(40, "x"),
    BETTER_AUTH_URL: publicUrl,
    RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    // The test is the proxy: each test names its own client, so no test's failures lock another's.
    TRUST_PROXY: "loopback",
  };
  dataDirs = PORTS.map((port) => mkdtempSync(path.join(tmpdir(), `ticked-limits-${port}-`)));
  instances = await Promise.all(PORTS.map((port, i) => startServer({ ...shared, PORT: String(port), DATA_DIR: dataDirs[i]! })));
}, 2 * STARTUP_MS);

afterAll(async () => {
  const exitCodes = await Promise.all(instances.map((instance) => instance.stop()));
  await dropDatabase(template.adminUrl, name);
  for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  expect(exitCodes).toEqual(instances.map(() => 0));
});

const client = () => `198.51.100.${1 + (randomBytes(1)[0]! % 250)}`;

function signIn(instance: ServerProcess, email: string, password: string) {
  return fetch(`${instance.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: publicUrl, "x-forwarded-for": client() },
    body: JSON.stringify({ email, password }),
  });
}

async function signUp(instance: ServerProcess) {
  const email = `limits-${randomUUID()}@example.com`;
  const password = "correct horse battery staple";
  const response = await fetch(`${instance.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: publicUrl },
    body: JSON.stringify({ name: "Limits", email, password }),
  });
  expect(response.status).toBe(200);
  return { email, password };
}

describe("limits across two instances on one PostgreSQL", () => {
  it(`${SIGN_IN_FAILURES_MAX} failed sign-ins split across both instances lock the account on both`, async () => {
    const owner = await signUp(instances[0]!);
    for (let attempt = 0; attempt < SIGN_IN_FAILURES_MAX; attempt += 1) {
      expect((await signIn(instances[attempt % 2]!, owner.email, `wrong guess ${attempt}`)).status).toBe(401);
    }
    for (const instance of instances) {
      const refused = await signIn(instance, owner.email, owner.password);
      expect(refused.status).toBe(429);
      expect(refused.headers.getSetCookie()).toEqual([]);
    }
  });

  it(`the per-user limit of ${RATE_LIMIT} requests a minute is one budget across both instances, within one sync`, async () => {
    const user = await signUpOver(instances[0]!.url, publicUrl);
    const statuses = [];
    for (let index = 0; index < RATE_LIMIT; index += 1) {
      const instance = instances[index % 2]!;
      statuses.push((await fetch(`${instance.url}/api/${user.userId}/tasks`, { headers: { ...user.headers, "x-forwarded-for": client() } })).status);
    }
    expect(statuses).toEqual(Array(RATE_LIMIT).fill(200));
    const get = (instance: ServerProcess) => fetch(`${instance.url}/api/${user.userId}/tasks`, { headers: user.headers });
    // Counts are decided in memory and added to the shared total each sync: an instance that has
    // not yet heard the total admits at most what reaches it within one sync, here one request.
    await sleep(2 * USER_REQUESTS_SYNC_MS);
    for (const instance of instances) await get(instance);
    await sleep(2 * USER_REQUESTS_SYNC_MS);
    for (const instance of instances) {
      const refused = await get(instance);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    }
  });

  it("failed credentials from one client are counted on both instances together", async () => {
    const user = await signUpOver(instances[1]!.url, publicUrl);
    const attacker = client();
    const forged = (instance: ServerProcess) =>
      fetch(`${instance.url}/api/${user.userId}/tasks`, { headers: { authorization: "Bearer forged", "x-forwarded-for": attacker } });
    const statuses = [];
    for (let index = 0; index < RATE_LIMIT; index += 1) statuses.push((await forged(instances[index % 2]!)).status);
    expect(statuses).toEqual(Array(RATE_LIMIT).fill(401));
    for (const instance of instances) expect((await forged(instance)).status).toBe(429);
  });
});
