import { performance } from "node:perf_hooks";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, STARTUP_MS, signUpOver } from "../server-process.js";
import type { TcpProxy } from "../tcp-proxy.js";
import { type Outcome, startLoad, status, waitFor } from "./load.js";
import { type ProxiedServer, startProxiedServer } from "./proxied-server.js";

/**
 * PostgreSQL goes away under load and comes back: a real server process talks to the database
 * through a TCP proxy that the test cuts and restores, while clients keep writing and reading.
 */
const FAIL_FAST_MS = 2_000;
const RECOVERY_MS = 5_000;

let proxied: ProxiedServer;
let proxy: TcpProxy;
let server: ServerProcess;
let direct: pg.Client;

beforeAll(async () => {
  proxied = await startProxiedServer("outage");
  ({ proxy, server, direct } = proxied);
}, 2 * STARTUP_MS);
afterAll(async () => expect(await proxied?.discard()).toBe(0));

const finishedBetween = (outcomes: Outcome[], from: number, to: number) =>
  outcomes.filter((outcome) => outcome.startedAt >= from && outcome.startedAt + outcome.ms <= to);

async function outage(mode: "refuse" | "blackhole") {
  const user = await signUpOver(server.url);
  const load = startLoad(user, { workers: 6, prefix: mode });
  await load.settled(40);

  const cutAt = performance.now();
  proxy.cut(mode);
  const firstFailureMs = await waitFor(
    "a request answered 503",
    async () => load.outcomes.some((outcome) => outcome.startedAt >= cutAt && outcome.status === 503),
    RECOVERY_MS,
    10,
  );
  expect(await status(`${server.url}/readyz`)).toBe(503);
  expect(await status(`${server.url}/healthz`)).toBe(200);
  // A session that cannot be looked up is not an invalid one: the web app must not be sent to sign-in.
  const byCookie = await fetch(user.tasksUrl, { headers: { cookie: user.cookie } });
  expect(byCookie.status).toBe(503);
  expect(((await byCookie.json()) as { error: { code: string } }).error.code).toBe("SERVICE_UNAVAILABLE");
  await load.settled(12);

  const restoredAt = performance.now();
  proxy.restore();
  const recoveryMs = await waitFor(
    "the server serving again",
    async () => load.outcomes.some((outcome) => outcome.startedAt >= restoredAt && outcome.status === 201),
    RECOVERY_MS,
    10,
  );
  expect(await status(`${server.url}/readyz`)).toBe(200);
  await load.settled(20);
  await load.stop();

  // Nothing hung and nothing broke: every request got an answer (load.ts gives up on one after 15 s),
  // and every failure is the envelope's 503, fast.
  for (const outcome of load.outcomes) {
    expect([200, 201, 503], JSON.stringify(outcome)).toContain(outcome.status);
    if (outcome.status !== 503) continue;
    expect(outcome.code).toBe("SERVICE_UNAVAILABLE");
    expect(outcome.ms, JSON.stringify(outcome)).toBeLessThan(FAIL_FAST_MS);
  }
  // Requests made while the database was gone failed, and fast.
  const during = finishedBetween(load.outcomes, cutAt, restoredAt);
  expect(during.length).toBeGreaterThanOrEqual(12);
  for (const outcome of during) expect(outcome.status).toBe(503);

  // Every acknowledged write is stored, whole; a failed one is either absent or stored whole (its
  // answer lost with the connection after the commit), never half.
  const { rows } = await direct.query<{ title: string; description: string | null; completed: boolean }>(
    "SELECT title, description, completed FROM task WHERE user_id = $1",
    [user.userId],
  );
  const stored = new Map(rows.map((row) => [row.title, row]));
  expect(stored.size).toBe(rows.length);
  const creates = load.outcomes.filter((outcome) => outcome.kind === "create");
  const acknowledged = creates.filter((outcome) => outcome.status === 201);
  for (const outcome of acknowledged) expect(stored.has(outcome.title!), outcome.title).toBe(true);
  const sent = new Set(creates.map((outcome) => outcome.title));
  for (const row of rows) {
    expect(sent.has(row.title), row.title).toBe(true);
    expect(row).toMatchObject({ description: null, completed: false });
  }
  const failedButStored = creates.filter((outcome) => outcome.status !== 201 && stored.has(outcome.title!)).length;
  const failures = during.map((outcome) => outcome.ms);
  console.info(
    `${mode}: ${creates.length} creates (${acknowledged.length} acknowledged, ${failedButStored} failed but stored), ` +
      `first 503 ${firstFailureMs.toFixed(0)} ms after the cut, 503s took ${Math.min(...failures).toFixed(0)}-${Math.max(...failures).toFixed(0)} ms, ` +
      `serving again ${recoveryMs.toFixed(0)} ms after the restore`,
  );
}

describe("database outage", () => {
  it("connections reset and new ones refused: fast 503s, /healthz 200, recovery without a restart, no acknowledged write lost", {
    timeout: 60_000,
  }, async () => {
    await outage("refuse");
  });

  it("connections reset and new ones blackholed: 503 within the connect timeout, then recovery", { timeout: 60_000 }, async () => {
    await outage("blackhole");
  });
});
