import type { TestProject } from "vitest/node";
import { createDatabase, databaseUrl, dropAbandonedDatabases, dropDatabase } from "../../scripts/postgres-databases.js";
import { migratePostgres } from "../../src/server/db/migrate.js";
import { TEST_DATABASE_PREFIX } from "../database.js";
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
  await dropAbandonedDatabases(adminUrl, TEST_DATABASE_PREFIX);
  await createDatabase(adminUrl, template);
  await migratePostgres(databaseUrl(adminUrl, template));
  project.provide("testDatabase", { kind: "postgres", adminUrl, template, prefix });
  return () => dropDatabase(adminUrl, template);
}
