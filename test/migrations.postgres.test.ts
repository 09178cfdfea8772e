import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { MIGRATIONS_FOLDER, migratePostgres } from "../src/server/db/migrate.js";
import { databaseUrl, dropDatabase, TEST_DATABASE_PREFIX } from "./database.js";

const template = inject("testDatabase");
const adminUrl = template.kind === "postgres" ? template.adminUrl : "";
const name = `${TEST_DATABASE_PREFIX}empty_${randomBytes(4).toString("hex")}`;
const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: unknown[] };

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

beforeAll(() => admin((client) => client.query(`CREATE DATABASE "${name}"`)));
afterAll(() => admin((client) => dropDatabase(client, name)));

describe("migrations on PostgreSQL", () => {
  it("four instances migrating one empty database at once all succeed, and each migration runs once", async () => {
    const pools = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: databaseUrl(adminUrl, name), max: 2 }));
    try {
      const results = await Promise.allSettled(pools.map((pool) => migratePostgres(pool)));
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
      const applied = await pools[0]!.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
      expect(applied.rows[0].n).toBe(journal.entries.length);
      const tables = await pools[0]!.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual(["account", "jwks", "session", "task", "user", "verification"]);
      // A restart finds nothing left to do.
      await migratePostgres(pools[1]!);
      expect((await pools[0]!.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations")).rows[0].n).toBe(journal.entries.length);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });
});
