import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePgDb } from "drizzle-orm/node-postgres/migrator";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePgliteDb } from "drizzle-orm/pglite/migrator";
import pg from "pg";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../drizzle", import.meta.url));

// Arbitrary but fixed: every instance of Ticked contends for the same advisory lock.
const MIGRATION_LOCK_KEY = 7_412_061_923;

/**
 * The node-postgres migrator takes no lock: instances starting together on an empty database race
 * and fail on duplicate keys. A session advisory lock, held on the very connection the migrator
 * uses, serialises them; the later ones then find nothing left to apply. That connection is its
 * own, without the pool's statement timeout: a long migration, or the wait for another
 * instance's, must not be cancelled halfway.
 */
export async function migratePostgres(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    await migratePgDb(drizzlePg({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    // Ending the session releases the advisory lock too.
    await client.end();
  }
}

/** PGlite is single-connection and its directory is locked by the caller: no race to guard. */
export async function migratePglite(client: PGlite): Promise<void> {
  await migratePgliteDb(drizzlePglite({ client }), { migrationsFolder: MIGRATIONS_FOLDER });
}
