import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { freePort, type LaunchedServer, launchServer as launchServerProcess } from "../../scripts/launch-server.js";
import { createDatabase, databaseUrl, dropAbandonedDatabases, dropDatabase } from "../../scripts/postgres-databases.js";
import { PGLITE_OPTIONS } from "../../src/server/db/database.js";

/**
 * The real server (`npm start`'s command) on its own port and its own fresh database: a PGlite
 * directory in a temp dir, or a uniquely named PostgreSQL database when TEST_DATABASE_URL is set.
 * It can be stopped (or killed) and started again on the same port, database and secret.
 */
export interface AppServer {
  url: string;
  /** Starts (or restarts) the process and waits until it answers /healthz. */
  start(): Promise<void>;
  /** Ends the process with the given signal and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** The process id, for SIGSTOP/SIGCONT. */
  pid(): number;
  /**
   * Runs one SQL statement on the server's own database, for seeding what the API would take too
   * long to. PGlite has a single writer, so its server is stopped meanwhile and started again.
   */
  sql(text: string, params?: unknown[]): Promise<void>;
  /** Stops the process and discards its database. */
  dispose(): Promise<void>;
}

const adminUrl = process.env.TEST_DATABASE_URL;
// A migrated PGlite directory made once per run: a fresh one costs an initdb (seconds) per server.
const TEMPLATE_ENV = "TICKED_E2E_PGLITE_TEMPLATE";
// Test databases on PostgreSQL are named after the worker process that made them.
const DATABASE_PREFIX = "web_e2e_";
// One secret per run: the template's signing keys are encrypted with it, so every copy needs the same.
const SECRET_ENV = "TICKED_E2E_SECRET";

function runSecret(): string {
  process.env[SECRET_ENV] ??= randomBytes(32).toString("base64");
  return process.env[SECRET_ENV];
}

interface FreshDatabase {
  env: Record<string, string>;
  sql(text: string, params?: unknown[]): Promise<void>;
  discard(): Promise<void>;
}

function freshPglite(): FreshDatabase {
  const dataDir = mkdtempSync(path.join(tmpdir(), "ticked-e2e-"));
  const template = process.env[TEMPLATE_ENV];
  if (template) cpSync(template, dataDir, { recursive: true });
  return {
    env: { DATA_DIR: dataDir },
    async sql(text, params) {
      const client = await PGlite.create(dataDir, { ...PGLITE_OPTIONS });
      try {
        await client.query(text, params);
      } finally {
        await client.close();
      }
    },
    discard: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

async function freshPostgres(admin: string): Promise<FreshDatabase> {
  const name = `${DATABASE_PREFIX}${process.pid}_${randomBytes(4).toString("hex")}`;
  await createDatabase(admin, name);
  const url = databaseUrl(admin, name);
  return {
    env: { DATABASE_URL: url, DATABASE_POOL_MAX: "5" },
    async sql(text, params) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(text, params);
      } finally {
        await client.end();
      }
    },
    discard: () => dropDatabase(admin, name),
  };
}

/** extraEnv: settings of the test's own on top of the defaults (SMTP_URL, a NODE_ENV with rate limits). */
export async function launchServer(extraEnv: Record<string, string> = {}): Promise<AppServer> {
  const port = String(await freePort());
  const url = `http://localhost:${port}`;
  const database = adminUrl ? await freshPostgres(adminUrl) : freshPglite();
  const env = {
    ...database.env,
    PORT: port,
    BETTER_AUTH_URL: url,
    BETTER_AUTH_SECRET: runSecret(),
    // Test mode turns Better Auth's per-address sign-in limits off (every test signs up from one address).
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    ...extraEnv,
  };
  let running: LaunchedServer | undefined;
  // A test that times out mid-start is torn down while the start goes on; dispose waits for it.
  let starting: Promise<void> = Promise.resolve();
  const server: AppServer = {
    url,
    start() {
      starting = launchServerProcess({ env }).then((started) => {
        running = started;
      });
      return starting;
    },
    async stop(signal = "SIGTERM") {
      await running?.stop(signal);
      running = undefined;
    },
    pid() {
      if (!running?.child.pid) throw new Error("the server is not running");
      return running.child.pid;
    },
    async sql(text, params) {
      if (adminUrl) return database.sql(text, params);
      await server.stop();
      await database.sql(text, params);
      await server.start();
    },
    async dispose() {
      await starting.catch(() => {});
      if (running?.child.exitCode === null) running.child.kill("SIGCONT");
      await server.stop();
      await database.discard();
    },
  };
  await server.start();
  return server;
}

/**
 * Global setup: on PGlite, start the server once on an empty directory (it migrates) and keep that
 * directory as the template every test server copies. Returns its path, or null on PostgreSQL
 * (where it clears what killed runs left behind instead).
 */
export async function prepareDatabaseTemplate(): Promise<string | null> {
  if (adminUrl) {
    await dropAbandonedDatabases(adminUrl, DATABASE_PREFIX);
    return null;
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), "ticked-e2e-template-"));
  const port = String(await freePort());
  const migrated = await launchServerProcess({
    env: { DATA_DIR: dataDir, PORT: port, NODE_ENV: "test", LOG_LEVEL: "warn", BETTER_AUTH_SECRET: runSecret() },
  });
  const code = await migrated.stop();
  if (code !== 0) throw new Error(`template server exited with ${code}: ${migrated.output()}`);
  process.env[TEMPLATE_ENV] = dataDir;
  return dataDir;
}
