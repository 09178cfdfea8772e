import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { inject } from "vitest";
import { createDatabase, databaseUrl, dropDatabase } from "../scripts/postgres-databases.js";
import { createPool, type Database, PGLITE_OPTIONS, pgliteDatabase, postgresDatabase } from "../src/server/db/database.js";
import "./setup/provided.js";

export const TEST_DATABASE_PREFIX = "ticked_test_";

export interface TestDatabase {
  database: Database;
  kind: "pglite" | "postgres";
  /** The clone's URL (PostgreSQL only), for tests that start a server process on it. */
  url?: string;
}

/**
 * A fresh, migrated database of this project's kind; closing it (via the app) also discards it.
 * vacuumAfterWrites: the embedded database's vacuum threshold, when a test needs a small one.
 */
export async function createTestDatabase({ vacuumAfterWrites }: { vacuumAfterWrites?: number } = {}): Promise<TestDatabase> {
  const template = inject("testDatabase");
  if (template.kind === "pglite") {
    const client = await PGlite.create({ loadDataDir: new Blob([readFileSync(template.dumpFile)]), ...PGLITE_OPTIONS });
    return { kind: "pglite", database: pgliteDatabase(client, undefined, vacuumAfterWrites) };
  }
  const name = `${template.prefix}${randomBytes(6).toString("hex")}`;
  await createDatabase(template.adminUrl, name, template.template);
  const url = databaseUrl(template.adminUrl, name);
  // In-process tests check behaviour, not the bounds: a burst of requests (thousands at once in the
  // integrity tests) may wait longer for this small pool than a server's 1.5 s before it sheds with
  // 503. The bounds themselves are tested on real server processes (test/reliability/).
  const database = postgresDatabase(createPool({ connectionString: url, max: 5, connectTimeoutMs: 30_000 }, () => {}));
  return {
    kind: "postgres",
    url,
    database: {
      ...database,
      close: async () => {
        await database.close();
        await dropDatabase(template.adminUrl, name);
      },
    },
  };
}
