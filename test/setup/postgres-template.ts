import pg from "pg";
import type { TestProject } from "vitest/node";
import { isRunning } from "../../src/server/db/data-dir-lock.js";
import { migratePostgres } from "../../src/server/db/migrate.js";
import { databaseUrl, dropDatabase, TEST_DATABASE_PREFIX } from "../database.js";
import "./provided.js";

/**
 * One migrated template per run; each test file clones it with CREATE DATABASE ... TEMPLATE. Every
 * database of a run is named after the run's process, so two runs on one server leave each other
 * alone, and what an interrupted run left behind is dropped by the next.
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL!;
  const prefix = `${TEST_DATABASE_PREFIX}${process.pid}_`;
  const template = `${prefix}template`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [
      `${TEST_DATABASE_PREFIX}%`,
    ]);
    for (const { datname } of rows) {
      const owner = Number(/^ticked_test_(\d+)_/.exec(datname)?.[1]);
      if (!isRunning(owner)) await dropDatabase(admin, datname);
    }
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  await migratePostgres(databaseUrl(adminUrl, template));
  project.provide("testDatabase", { kind: "postgres", adminUrl, template, prefix });
  return async () => {
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await dropDatabase(cleanup, template);
    await cleanup.end();
  };
}
