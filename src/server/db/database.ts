import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";
import type { DatabaseConfig } from "../config/config.js";
import { lockDataDir, restrictDataDirFiles } from "./data-dir-lock.js";
import { loggableError } from "./errors.js";
import { migratePglite, migratePostgres } from "./migrate.js";
import * as schema from "./schema/index.js";

type Schema = typeof schema;

/** Every PGlite open must load these, or statements touching the trigram indexes fail (migration 0002). */
const PGLITE_EXTENSIONS = { pg_trgm };

/**
 * PostgreSQL settings the embedded database runs with, in place of PostgreSQL's defaults. PGlite's
 * WebAssembly memory never shrinks, so whatever PostgreSQL once touches stays resident for good:
 * shared_buffers is touched in full at start (the default 128 MB was a third of the server's
 * memory), and maintenance_work_mem bounds what a vacuum or an index build may take on top. The
 * pages PostgreSQL does not keep are still in the operating system's file cache, and a list reads
 * few of them.
 */
export const PGLITE_SETTINGS = { shared_buffers: "16MB", maintenance_work_mem: "16MB" } as const;

/** What every PGlite open of the app's data passes: the extensions and the settings above. */
export const PGLITE_OPTIONS = {
  extensions: PGLITE_EXTENSIONS,
  startParams: [...PGlite.defaultStartParams, ...Object.entries(PGLITE_SETTINGS).flatMap(([name, value]) => ["-c", `${name}=${value}`])],
};
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

/** One database, embedded or server, behind one interface: the rest of the app does not care which. */
export interface Database {
  kind: "embedded" | "postgres";
  db: Db;
  /** PostgreSQL only: the pool behind db, for the rate limits' store, which speaks SQL itself. */
  pool?: pg.Pool;
  /** Resolves when the database answers a trivial query, rejects when it does not. */
  ping(): Promise<void>;
  /**
   * Embedded only: vacuums and analyzes the database when enough write transactions have happened
   * since the last time (PGlite runs no autovacuum); resolves whether it did. PostgreSQL has none:
   * its autovacuum does this.
   */
  vacuumIfDue?(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Write transactions after which the embedded database is vacuumed: few enough that the dead row
 * versions they leave cannot slow the list down for long (docs/performance.md).
 */
const EMBEDDED_VACUUM_AFTER_WRITES = 1_000;

export interface PoolSettings {
  connectionString: string;
  max: number;
  /** Opening a connection, or waiting for a free one in the pool, gives up after this long. */
  connectTimeoutMs?: number;
  /** PostgreSQL cancels a statement running longer than this. */
  statementTimeoutMs?: number;
}

// The client-side read timeout backs the server-side statement timeout: a database that stopped
// answering altogether (a network partition, a stalled proxy) cannot cancel anything itself.
const READ_TIMEOUT_MARGIN_MS = 1_000;

/**
 * Bounds that turn an unreachable or stuck database into a quick 503 instead of hung requests:
 * connectTimeoutMs for a database that cannot be reached, statementTimeoutMs + 1 s for one that
 * stops answering mid-query (docs/reliability.md).
 */
export function createPool(
  { connectionString, max, connectTimeoutMs = 1_500, statementTimeoutMs = 5_000 }: PoolSettings,
  onIdleError: (error: Error) => void,
) {
  const pool = new pg.Pool({
    connectionString,
    max,
    connectionTimeoutMillis: connectTimeoutMs,
    statement_timeout: statementTimeoutMs,
    query_timeout: statementTimeoutMs + READ_TIMEOUT_MARGIN_MS,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  // An idle client losing its connection emits here; unhandled, it would crash the process.
  pool.on("error", onIdleError);
  return pool;
}

export function postgresDatabase(pool: pg.Pool): Database {
  return {
    kind: "postgres",
    db: drizzlePg({ client: pool, schema }) as unknown as Db,
    pool,
    ping: async () => {
      await pool.query("SELECT 1");
    },
    close: () => pool.end(),
  };
}

export function pgliteDatabase(client: PGlite, onClose: () => void = () => {}, vacuumAfterWrites = EMBEDDED_VACUUM_AFTER_WRITES): Database {
  // Every write transaction takes the next transaction id, and reading the counter takes none: the
  // distance from the last vacuum's counts the writes since, on PGlite, which keeps no row statistics.
  // From zero at start, so a database reopened after much use is vacuumed at the first check.
  const nextTransactionId = async () =>
    BigInt((await client.query<{ next: string }>("SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next")).rows[0]!.next);
  let vacuumedAt = 0n;
  return {
    kind: "embedded",
    db: drizzlePglite({ client, schema }) as unknown as Db,
    ping: async () => {
      await client.query("SELECT 1");
    },
    vacuumIfDue: async () => {
      if ((await nextTransactionId()) - vacuumedAt < vacuumAfterWrites) return false;
      await client.exec("VACUUM (ANALYZE)");
      vacuumedAt = await nextTransactionId();
      return true;
    },
    close: async () => {
      try {
        if (!client.closed) await client.close();
      } finally {
        onClose();
      }
    },
  };
}

const execFileAsync = promisify(execFile);

/**
 * Creates the embedded database in a data directory that holds none, in a process of its own:
 * initdb runs a second PostgreSQL build and copies the new cluster through memory, and what that
 * leaves behind would stay in the server's memory until a garbage collection that an idle server
 * never runs. The child migrates too, so the server opens a database that is ready.
 */
async function createEmbeddedDatabase(dataDir: string): Promise<void> {
  const script = fileURLToPath(new URL(`./embedded-create${path.extname(import.meta.url)}`, import.meta.url));
  // Run from the TypeScript sources (tests, npm run dev), the child needs the same loader.
  const loader = script.endsWith(".ts") ? ["--import", "tsx"] : [];
  try {
    await execFileAsync(process.execPath, [...loader, script, dataDir]);
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(stderr?.trim() || (error as Error).message);
  }
}

/** Opens the configured database and brings its schema up to date. */
export async function openDatabase(config: DatabaseConfig, log: { error(obj: unknown, msg: string): void }) {
  if (config.kind === "postgres") {
    await migratePostgres(config.url);
    const { url, poolMax, connectTimeoutMs, statementTimeoutMs } = config;
    const pool = createPool({ connectionString: url, max: poolMax, connectTimeoutMs, statementTimeoutMs }, (error) =>
      log.error({ error: loggableError(error) }, "idle database connection failed"),
    );
    return postgresDatabase(pool);
  }
  const unlock = lockDataDir(config.dataDir);
  let client: PGlite | undefined;
  try {
    if (!existsSync(path.join(config.dataDir, "PG_VERSION"))) await createEmbeddedDatabase(config.dataDir);
    client = await PGlite.create(config.dataDir, PGLITE_OPTIONS);
    await migratePglite(client);
    restrictDataDirFiles(config.dataDir);
    return pgliteDatabase(client, unlock);
  } catch (error) {
    await client?.close();
    unlock();
    throw error;
  }
}
