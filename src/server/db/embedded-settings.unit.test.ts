import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { type Database, openDatabase, PGLITE_SETTINGS } from "./database.js";

const quietLog = { error: () => {} };

let dataDir: string;
let database: Database | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

async function show(name: string): Promise<string> {
  const { rows } = (await database!.db.execute(sql.raw(`SHOW ${name}`))) as unknown as { rows: Record<string, string>[] };
  return rows[0]![name]!;
}

// Opened the way the server opens it: a new data directory, then the same one again after a restart.
describe("the embedded database's memory settings", () => {
  it("are in force on a new data directory, which opens migrated, and again after reopening it", { timeout: 60_000 }, async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "ticked-embedded-"));
    for (const opening of ["new", "reopened"]) {
      database = await openDatabase({ kind: "embedded", dataDir }, quietLog);
      for (const [name, value] of Object.entries(PGLITE_SETTINGS)) expect({ opening, [name]: await show(name) }).toEqual({ opening, [name]: value });
      const { rows } = (await database.db.execute(sql`SELECT count(*)::int AS n FROM task`)) as unknown as { rows: { n: number }[] };
      expect(rows[0]!.n).toBe(0);
      await database.close();
      database = undefined;
    }
  });
});
