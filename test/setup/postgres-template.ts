import pg from "pg";
import type { TestProject } from "vitest/node";
import { migratePostgres } from "../../src/server/db/migrate.js";
import { databaseUrl, dropDatabase, TEST_DATABASE_PREFIX } from "../database.js";
import "./provided.js";

/** One migrated template per run; each test file clones it with CREATE DATABASE ... TEMPLATE. */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const template = `${TEST_DATABASE_PREFIX}template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    // Leftovers of an interrupted earlier run.
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1",
      [`${TEST_DATABASE_PREFIX}%`],
    );
    for (const { datname } of rows) await dropDatabase(admin, datname);
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: databaseUrl(adminUrl, template), max: 1 });
  await migratePostgres(pool);
  await pool.end();
  project.provide("testDatabase", { kind: "postgres", adminUrl, template });
  return async () => {
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await dropDatabase(cleanup, template);
    await cleanup.end();
  };
}
