import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { TestProject } from "vitest/node";
import { PGLITE_OPTIONS } from "../../src/server/db/database.js";
import { migratePglite } from "../../src/server/db/migrate.js";
import "./provided.js";

/**
 * initdb costs PGlite seconds; loading a dump of an already migrated database costs a fraction of
 * that. Migrate once, dump, and let every test file start from its own copy.
 */
export default async function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), "ticked-pglite-"));
  const template = await PGlite.create({ ...PGLITE_OPTIONS });
  await migratePglite(template);
  const dump = await template.dumpDataDir("none");
  await template.close();
  const dumpFile = path.join(dir, "template.tar");
  writeFileSync(dumpFile, Buffer.from(await dump.arrayBuffer()));
  project.provide("testDatabase", { kind: "pglite", dumpFile });
  return () => rmSync(dir, { recursive: true, force: true });
}
