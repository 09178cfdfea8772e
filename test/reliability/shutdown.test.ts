import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ProcessStorage, processStorage } from "../process-storage.js";
import { freePort, type ProcessUser, STARTUP_MS, signUpOver, startServer } from "../server-process.js";
import { type Outcome, startLoad, waitFor } from "./load.js";

/**
 * Stopping the server, politely (SIGTERM) or not (SIGKILL), in the middle of writes: nothing that
 * was acknowledged is lost, and the server starts again on the same data. On PGlite the data lives
 * in DATA_DIR; on PostgreSQL in a fresh clone.
 */
const EXIT_WITHIN_MS = 10_000;

let storage: ProcessStorage;
let serverEnv: Record<string, string>;

beforeAll(async () => {
  storage = await processStorage("shutdown");
  serverEnv = { ...storage.env, NODE_ENV: "test", BETTER_AUTH_SECRET: "shutdown-test-secret-".padEnd(40, "x"), RATE_LIMIT_PER_MINUTE: "1000000" };
});
afterAll(() => storage.discard());

const CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n";

/** Sends a request's headers and half its body, and finishes it only when told to. */
function halfSentCreate(port: number, user: ProcessUser, title: string) {
  const body = JSON.stringify({ title });
  const socket = connect(port, "127.0.0.1");
  let response = "";
  // The server answers "100 Continue" once it has parsed the headers: from then on the request is in
  // flight there, not an idle connection that shutting down may simply close.
  const accepted = new Promise<void>((resolve) =>
    socket.on("data", (chunk) => {
      response += chunk;
      if (response.startsWith(CONTINUE)) resolve();
    }),
  );
  const ended = new Promise<string>((resolve, reject) => {
    socket.on("close", () => resolve(response.slice(CONTINUE.length)));
    socket.on("error", reject);
  });
  ended.catch(() => {}); // awaited through finish(); an early reset must not go unhandled meanwhile
  const half = Math.floor(body.length / 2);
  const path = new URL(user.tasksUrl).pathname;
  socket.on("connect", () =>
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nAuthorization: ${user.headers.authorization}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    ),
  );
  const opened = accepted.then(() => new Promise<void>((resolve) => socket.write(body.slice(0, half), () => resolve())));
  return {
    opened,
    finish: () => {
      socket.write(body.slice(half));
      return ended;
    },
  };
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.on("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.on("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

/** Every acknowledged create is listed on the restarted server; nothing is there that was not sent. */
async function expectAcknowledgedPresent(url: string, user: ProcessUser, outcomes: Outcome[]) {
  const response = await fetch(`${url}/api/${user.userId}/tasks?limit=100&sort=title`, { headers: user.headers });
  expect(response.status).toBe(200);
  const titles = new Set<string>();
  let page = (await response.json()) as { data: { title: string }[]; meta: { next_cursor: string | null } };
  for (;;) {
    for (const task of page.data) titles.add(task.title);
    if (!page.meta.next_cursor) break;
    const next = await fetch(`${url}/api/${user.userId}/tasks?limit=100&sort=title&cursor=${page.meta.next_cursor}`, { headers: user.headers });
    page = (await next.json()) as typeof page;
  }
  const creates = outcomes.filter((outcome) => outcome.kind === "create");
  const acknowledged = creates.filter((outcome) => outcome.status === 201);
  expect(acknowledged.length).toBeGreaterThan(0);
  for (const outcome of acknowledged) expect(titles.has(outcome.title!), outcome.title).toBe(true);
  const sent = new Set(creates.map((outcome) => outcome.title));
  for (const title of titles) expect(sent.has(title), title).toBe(true);
  return { acknowledged: acknowledged.length, stored: titles.size };
}

describe("shutdown", () => {
  it("SIGTERM under load: in-flight requests complete, new connections are refused, exit 0 within 10 s, nothing acknowledged lost", {
    timeout: 3 * STARTUP_MS,
  }, async () => {
    const port = await freePort();
    const env = { ...serverEnv, PORT: String(port) };
    const server = await startServer(env);
    const user = await signUpOver(server.url);
    const load = startLoad(user, { workers: 4, prefix: "sigterm" });
    await load.settled(30);
    const slow = halfSentCreate(port, user, "in flight at SIGTERM");
    await slow.opened;

    const signalledAt = performance.now();
    server.child.kill("SIGTERM");
    await waitFor("new connections refused", () => connectionRefused(port), 5_000, 20);
    // The request that was being received when the signal came is still served, in full.
    const answer = await slow.finish();
    expect(answer).toMatch(/^HTTP\/1\.1 201 /);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    const exitCode = await server.exited;
    const exitMs = performance.now() - signalledAt;
    await load.stop();
    expect(exitCode).toBe(0);
    expect(exitMs).toBeLessThan(EXIT_WITHIN_MS);

    // A request got its answer, or was never taken in; none was cut off with an error.
    for (const outcome of load.outcomes)
      expect([200, 201, "ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET"], JSON.stringify(outcome)).toContain(outcome.status);

    const again = await startServer(env);
    try {
      const { acknowledged, stored } = await expectAcknowledgedPresent(again.url, user, [
        ...load.outcomes,
        { kind: "create", title: "in flight at SIGTERM", status: 201, startedAt: 0, ms: 0 },
      ]);
      console.info(`SIGTERM: exit 0 after ${exitMs.toFixed(0)} ms; ${acknowledged} acknowledged creates, ${stored} stored after restart`);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });

  it("SIGKILL in the middle of writes: the server starts again on the same data, and every acknowledged task is there", {
    timeout: 3 * STARTUP_MS,
  }, async () => {
    const port = await freePort();
    const env = { ...serverEnv, PORT: String(port) };
    const server = await startServer(env);
    const user = await signUpOver(server.url);
    const load = startLoad(user, { workers: 4, prefix: "sigkill" });
    await load.settled(30);
    server.child.kill("SIGKILL");
    expect(await server.exited).toBe(null);
    await load.stop();

    // On PGlite the killed process left its lock file behind; the new one takes it over.
    const again = await startServer(env);
    try {
      const { acknowledged, stored } = await expectAcknowledgedPresent(again.url, user, load.outcomes);
      const created = await fetch(user.tasksUrl.replace(server.url, again.url), {
        method: "POST",
        headers: user.headers,
        body: JSON.stringify({ title: "after the crash" }),
      });
      expect(created.status).toBe(201);
      console.info(`SIGKILL: ${acknowledged} acknowledged creates, ${stored} stored after restart`);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  });
});
