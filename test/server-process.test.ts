import { desc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../src/server/config/config.js";
import { type Db, openDatabase } from "../src/server/db/database.js";
import { jwks } from "../src/server/db/schema/index.js";
import { type ProcessStorage, processStorage } from "./process-storage.js";
import { freePort, type ProcessUser, runServer, STARTUP_MS, signUpOver, startServer } from "./server-process.js";

/**
 * The server as a process: what `npm start` does with its environment, its signals and its data.
 * On the PostgreSQL project the server runs on a fresh clone; on PGlite, in a fresh data directory.
 */
let storage: ProcessStorage;
let serverEnv: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  storage = await processStorage("process");
  serverEnv = storage.env;
  dataDir = storage.env.DATA_DIR!;
});
afterAll(() => storage.discard());

/** The servers' data, opened as the server opens it, while none of them runs. */
async function withStoredData<T>(use: (db: Db) => Promise<T>): Promise<T> {
  const database = await openDatabase(parseConfig({ NODE_ENV: "test", ...serverEnv }).database, console);
  try {
    return await use(database.db);
  } finally {
    await database.close();
  }
}

/** A server started on `env` accepts the user's token: the refused start before it changed nothing. */
async function expectTokenAccepted(env: Record<string, string>, user: ProcessUser) {
  const server = await startServer(env);
  try {
    expect((await fetch(user.tasksUrl, { headers: user.headers })).status).toBe(200);
  } finally {
    await server.stop();
  }
}

async function json(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whichever envelope fields it asserts on.
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("configuration errors", () => {
  it("a bad setting stops the process with exit 1 and one line naming the variable", { timeout: STARTUP_MS }, async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ PORT: "eighty" }, /^ticked: invalid configuration: PORT must be a whole number/],
      [{ NODE_ENV: "production" }, /^ticked: invalid configuration: BETTER_AUTH_SECRET is required when NODE_ENV=production/],
      [{ DATABASE_URL: "mysql://localhost/db" }, /^ticked: invalid configuration: DATABASE_URL must start with/],
      [{ LOG_LEVEL: "chatty" }, /^ticked: invalid configuration: LOG_LEVEL must be one of/],
    ];
    await Promise.all(
      cases.map(async ([env, expected]) => {
        const run = await runServer({ DATA_DIR: dataDir, ...env });
        expect(await run.exited).toBe(1);
        const lines = run.output().trim().split("\n");
        expect(lines, run.output()).toHaveLength(1);
        expect(lines[0]).toMatch(expected);
      }),
    );
  });

  it("an unreachable database stops the process with exit 1 and one line", { timeout: STARTUP_MS }, async () => {
    const run = await runServer({ DATA_DIR: dataDir, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none", BETTER_AUTH_SECRET: "s".repeat(32) });
    expect(await run.exited).toBe(1);
    expect(run.output().trim().split("\n")).toEqual([expect.stringMatching(/^ticked: cannot open PostgreSQL \(DATABASE_URL\): /)]);
  });
});

describe("the server process", () => {
  it("serves, shuts down cleanly on SIGTERM, and finds every task after a restart", { timeout: 3 * STARTUP_MS }, async () => {
    // The same port both times: tokens name the public URL (BETTER_AUTH_URL) as issuer and audience.
    const env = { ...serverEnv, PORT: String(await freePort()) };
    const first = await startServer(env);
    const user = await signUpOver(first.url);
    const titles = Array.from({ length: 20 }, (_, i) => `persisted ${i}`);
    for (const title of titles) {
      const created = await json(`${first.url}/api/${user.userId}/tasks`, {
        method: "POST",
        headers: user.headers,
        body: JSON.stringify({ title }),
      });
      expect(created.status).toBe(201);
    }
    // Requests in flight when SIGTERM arrives still complete.
    // Requests racing SIGTERM either complete (201) or are never accepted (connection refused or
    // reset before a request was read); none gets a half answer.
    const inFlight = Array.from({ length: 10 }, (_, i) =>
      fetch(`${first.url}/api/${user.userId}/tasks`, {
        method: "POST",
        headers: user.headers,
        body: JSON.stringify({ title: `in flight ${i}` }),
      }).then(
        (response) => response.status,
        (error: { cause?: { code?: string } }) => error.cause?.code ?? "failed",
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    const exitCode = await first.stop("SIGTERM");
    const outcomes = await Promise.all(inFlight);
    expect(exitCode).toBe(0);
    for (const outcome of outcomes) expect([201, "ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET"]).toContain(outcome);
    const acknowledged = outcomes.filter((outcome) => outcome === 201).length;

    const second = await startServer(env);
    try {
      // The same token still verifies: keys and secret survived the restart.
      const list = await json(`${second.url}/api/${user.userId}/tasks?limit=200`, { headers: user.headers });
      expect(list.status).toBe(200);
      const stored = list.body.data.map((task: { title: string }) => task.title);
      expect(stored).toEqual(expect.arrayContaining(titles));
      // Every acknowledged write is there; one whose answer was lost with its connection may be too.
      const inFlightStored = stored.filter((title: string) => title.startsWith("in flight")).length;
      expect(inFlightStored).toBeGreaterThanOrEqual(acknowledged);
      expect(inFlightStored).toBeLessThanOrEqual(outcomes.length);
      // And the cookie session too.
      expect((await json(`${second.url}/api/${user.userId}/tasks`, { headers: { cookie: user.cookie } })).status).toBe(200);
    } finally {
      expect(await second.stop("SIGINT")).toBe(0);
    }
  });

  it("refuses to start with a BETTER_AUTH_SECRET other than the one its signing keys were stored with, and says what to do", {
    timeout: 3 * STARTUP_MS,
  }, async () => {
    // The same port both times: tokens name the public URL (BETTER_AUTH_URL) as issuer and audience.
    const env = { ...serverEnv, PORT: String(await freePort()) };
    const first = await startServer(env);
    const user = await signUpOver(first.url); // its token's signing key is now stored, encrypted
    expect(await first.stop()).toBe(0);

    const other = await runServer({ ...serverEnv, PORT: "0", BETTER_AUTH_SECRET: "another secret, long enough: 0123456789abcdef" });
    expect(await other.exited).toBe(1);
    expect(other.output().trim().split("\n")).toEqual([
      expect.stringMatching(
        /^ticked: BETTER_AUTH_SECRET is not the secret this database's JWT signing keys \(table jwks\) were encrypted with: start with that secret\. To change it, also delete the rows of jwks/,
      ),
    ]);

    // Nothing was changed: with its own secret the server starts and the user's token still works.
    await expectTokenAccepted(env, user);
  });

  it("refuses to start, in one line, when its stored JWT signing keys cannot be read", { timeout: 3 * STARTUP_MS }, async () => {
    const env = { ...serverEnv, PORT: String(await freePort()) };
    const first = await startServer(env);
    const user = await signUpOver(first.url);
    expect(await first.stop()).toBe(0);

    // A hand-edited row: the key is there, but not as Better Auth wrote it.
    const stored = await withStoredData(async (db) => {
      const [newest] = await db.select({ id: jwks.id, privateKey: jwks.privateKey }).from(jwks).orderBy(desc(jwks.createdAt)).limit(1);
      await db.update(jwks).set({ privateKey: "not what Better Auth wrote" }).where(eq(jwks.id, newest!.id));
      return newest!;
    });
    const broken = await runServer({ ...serverEnv, PORT: "0" });
    expect(await broken.exited).toBe(1);
    expect(broken.output().trim().split("\n")).toEqual([
      expect.stringMatching(
        /^ticked: cannot read the JWT signing keys from (PostgreSQL \(DATABASE_URL\)|the embedded database in \S+): the newest key \(id \S+\) is not in the form Better Auth stores keys in$/,
      ),
    ]);

    // With the key put back, the server starts and the user's token still works.
    await withStoredData((db) => db.update(jwks).set({ privateKey: stored.privateKey }).where(eq(jwks.id, stored.id)));
    await expectTokenAccepted(env, user);
  });

  it("a second server refuses an embedded data directory in use, and shares a PostgreSQL database", { timeout: 3 * STARTUP_MS }, async () => {
    const first = await startServer(serverEnv);
    try {
      if (serverEnv.DATABASE_URL) {
        // Stateless instances on one PostgreSQL: the second one starts (its migration finds nothing to do) and serves.
        const second = await startServer(serverEnv);
        expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
        expect(await second.stop()).toBe(0);
      } else {
        const second = await runServer({ ...serverEnv, PORT: "0" });
        expect(await second.exited).toBe(1);
        expect(second.output()).toMatch(/^ticked: the embedded database in .* is in use by another process \(pid \d+\)/);
      }
      expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    } finally {
      await first.stop();
    }
  });
});
