import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase } from "./database.js";

export interface ProcessStorage {
  /** DATA_DIR, and DATABASE_URL on the postgres project: what a server process needs for its data. */
  env: Record<string, string>;
  /** The PostgreSQL clone's URL, on the postgres project. */
  databaseUrl?: string;
  discard(): Promise<void>;
}

/**
 * Where a server process under test keeps its data: a fresh clone of the migrated template on the
 * postgres project, and a fresh data directory (embedded PGlite) on the pglite project.
 */
export async function processStorage(name: string): Promise<ProcessStorage> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `ticked-${name}-`));
  const test = await createTestDatabase();
  if (test.kind === "pglite") await test.database.close();
  return {
    env: { DATA_DIR: dataDir, ...(test.url ? { DATABASE_URL: test.url } : {}) },
    databaseUrl: test.url,
    async discard() {
      if (test.kind === "postgres") await test.database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
