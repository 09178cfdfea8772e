import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, databaseUrl, dropDatabase } from "../scripts/postgres-databases.js";
import { MIGRATIONS_FOLDER, migratePostgres } from "../src/server/db/migrate.js";

const template = inject("testDatabase");
if (template.kind !== "postgres") throw new Error("this suite needs the postgres project");
const { adminUrl } = template;
const name = `${template.prefix}empty_${randomBytes(4).toString("hex")}`;
const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: unknown[] };

beforeAll(() => createDatabase(adminUrl, name));
afterAll(() => dropDatabase(adminUrl, name));

describe("migrations on PostgreSQL", () => {
  it("four instances migrating one empty database at once all succeed, and each migration runs once", async () => {
    const url = databaseUrl(adminUrl, name);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 4 }, () => migratePostgres(url)));
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
      const applied = await pool.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
      expect(applied.rows[0].n).toBe(journal.entries.length);
      const tables = await pool.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name");
      expect(tables.rows.map((row) => row.table_name)).toEqual([
        "account",
        "idempotency_key",
        "jwks",
        "session",
        "task",
        "token_revocation",
        "user",
        "verification",
      ]);
      // A restart finds nothing left to do.
      await migratePostgres(url);
      expect((await pool.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations")).rows[0].n).toBe(journal.entries.length);
    } finally {
      await pool.end();
    }
  });
});
