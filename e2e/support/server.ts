import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort, startServer, type ServerProcess } from "../../test/server-process.js";

/**
 * The real server (`npm start`'s command) on its own port and its own fresh database: a PGlite
 * directory in a temp dir, or a uniquely named PostgreSQL database when TEST_DATABASE_URL is set.
 * It can be killed and started again on the same port, database and secret, as a crash would leave it.
 */
export interface AppServer {
  url: string;
  /** Starts (or restarts) the process and waits until it answers /healthz. */
  start(): Promise<void>;
  /** Ends the process with the given signal and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** The process id, for SIGSTOP/SIGCONT. */
  pid(): number;
  /** Stops the process and discards its database. */
  dispose(): Promise<void>;
}

const adminUrl = process.env.TEST_DATABASE_URL;

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh database for one server: its environment and how to throw it away. */
async function freshDatabase(): Promise<{ env: Record<string, string>; discard(): Promise<void> }> {
  if (!adminUrl) {
    const dataDir = mkdtempSync(path.join(tmpdir(), "ticked-e2e-"));
    return { env: { DATA_DIR: dataDir }, discard: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `web_e2e_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), DATABASE_POOL_MAX: "5" },
    discard: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

export async function launchServer(): Promise<AppServer> {
  const port = String(await freePort());
  const url = `http://localhost:${port}`;
  const database = await freshDatabase();
  const env = {
    ...database.env,
    PORT: port,
    BETTER_AUTH_URL: url,
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64"),
    // Better Auth's per-address sign-in limits are off in test; the task API's per-user limit
    // would otherwise throttle the 5,000-task seeding.
    NODE_ENV: "test",
    RATE_LIMIT_PER_MINUTE: "1000000",
    LOG_LEVEL: "warn",
  };
  let running: ServerProcess | undefined;
  const server: AppServer = {
    url,
    async start() {
      running = await startServer(env);
    },
    async stop(signal = "SIGTERM") {
      await running?.stop(signal);
      running = undefined;
    },
    pid() {
      if (!running?.child.pid) throw new Error("the server is not running");
      return running.child.pid;
    },
    async dispose() {
      if (running) process.kill(running.child.pid!, "SIGCONT");
      await server.stop();
      await database.discard();
    },
  };
  await server.start();
  return server;
}
