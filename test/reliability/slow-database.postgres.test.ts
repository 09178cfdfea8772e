import { performance } from "node:perf_hooks";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProcessUser, STARTUP_MS, signUpOver } from "../server-process.js";
import type { TcpProxy } from "../tcp-proxy.js";
import { status, waitFor } from "./load.js";
import { type ProxiedServer, startProxiedServer } from "./proxied-server.js";

/**
 * A database that answers slowly, or not at all: the pool's timeouts turn each request into a 503
 * within the configured bound instead of letting requests pile up behind it. Small bounds here so
 * the test takes seconds; production defaults are in docs/reliability.md.
 */
const CONNECT_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 500;
// A query that has been sent is given up when no answer comes within statement timeout + 1 s.
const BOUND_MS = Math.max(CONNECT_TIMEOUT_MS, STATEMENT_TIMEOUT_MS + 1_000);
// Scheduling on a busy two-core machine, and the HTTP round trip.
const SLACK_MS = 500;

let proxied: ProxiedServer;
let proxy: TcpProxy;
let direct: pg.Client;
let user: ProcessUser;

beforeAll(async () => {
  proxied = await startProxiedServer("slow", {
    DATABASE_POOL_MAX: "4",
    DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
  });
  ({ proxy, direct } = proxied);
  user = await signUpOver(proxied.server.url);
}, 2 * STARTUP_MS);
afterAll(async () => expect(await proxied?.discard()).toBe(0));

async function timedRequest(url: string, init: RequestInit = {}) {
  const started = performance.now();
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const body = (await response.json()) as { error?: { code: string }; data?: { id: string; title: string } };
  return { status: response.status, code: body.error?.code, data: body.data, ms: performance.now() - started };
}

const create = (title: string) => timedRequest(user.tasksUrl, { method: "POST", headers: user.headers, body: JSON.stringify({ title }) });

describe("slow database", () => {
  it("latency below the bounds only slows requests down", { timeout: 30_000 }, async () => {
    proxy.delay(150);
    try {
      const created = await create("slow but fine");
      expect(created.status).toBe(201);
      expect((await timedRequest(`${user.tasksUrl}/${created.data!.id}`, { headers: user.headers })).status).toBe(200);
    } finally {
      proxy.restore();
    }
  });

  it("latency beyond the bounds: every request, including those waiting for the pool, is a 503 within the bound", { timeout: 30_000 }, async () => {
    // Warm the pool, so some requests meet a connection that stops answering mid-query and others
    // wait for a connection that never comes.
    await Promise.all(Array.from({ length: 4 }, (_, i) => create(`warm ${i}`)));
    proxy.delay(10_000);
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0 ? create(`during slowness ${i}`) : timedRequest(`${user.tasksUrl}?limit=5`, { headers: user.headers }),
      ),
    );
    for (const answer of burst) {
      expect(answer).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE" });
      expect(answer.ms).toBeLessThan(BOUND_MS + SLACK_MS);
    }
    expect(await status(`${proxied.server.url}/healthz`)).toBe(200);
    console.info(
      `slow database: 30 requests answered 503 in ${Math.min(...burst.map((a) => a.ms)).toFixed(0)}-${Math.max(...burst.map((a) => a.ms)).toFixed(0)} ms (bound ${BOUND_MS} ms)`,
    );

    proxy.restore();
    const recoveryMs = await waitFor("serving again", async () => (await create("after slowness")).status === 201, 5_000);
    console.info(`slow database: serving again ${recoveryMs.toFixed(0)} ms after the latency was removed`);
    // A write that timed out on the client may still have committed on the server; none is half there.
    const { rows } = await direct.query<{ title: string }>("SELECT title FROM task WHERE user_id = $1 AND title LIKE 'during slowness%'", [
      user.userId,
    ]);
    for (const row of rows) expect(row.title).toMatch(/^during slowness \d+$/);
  });

  it("a statement stuck behind a lock is cancelled by the statement timeout: 503, and the lock holder is unharmed", { timeout: 30_000 }, async () => {
    const created = await create("locked");
    expect(created.status).toBe(201);
    const holder = new pg.Client({ connectionString: proxied.databaseUrl });
    await holder.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM task WHERE id = $1 FOR UPDATE", [created.data!.id]);
      const blocked = await timedRequest(`${user.tasksUrl}/${created.data!.id}`, {
        method: "PUT",
        headers: user.headers,
        body: JSON.stringify({ title: "never written" }),
      });
      expect(blocked).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE" });
      expect(blocked.ms).toBeGreaterThanOrEqual(STATEMENT_TIMEOUT_MS - 50);
      expect(blocked.ms).toBeLessThan(STATEMENT_TIMEOUT_MS + SLACK_MS);
      await holder.query("COMMIT");
    } finally {
      await holder.end();
    }
    const read = await timedRequest(`${user.tasksUrl}/${created.data!.id}`, { headers: user.headers });
    expect(read).toMatchObject({ status: 200, data: { title: "locked" } });
  });
});
