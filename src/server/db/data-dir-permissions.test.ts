import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runServer, STARTUP_MS } from "../../../test/server-process.js";
import { openDatabase } from "./database.js";

const scratch = mkdtempSync(path.join(tmpdir(), "ticked-permissions-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe("the embedded database's data directory", () => {
  it("is created 0700, and the files in it are readable by their owner only", { timeout: STARTUP_MS }, async () => {
    const dataDir = path.join(scratch, "fresh", "data");
    const database = await openDatabase({ kind: "embedded", dataDir }, console);
    try {
      expect(modeOf(dataDir).toString(8)).toBe("700");
      const files = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
      expect(files.length).toBeGreaterThan(100);
      const shared = files.map((entry) => path.join(entry.parentPath, entry.name)).filter((file) => modeOf(file) & 0o077);
      expect(shared).toEqual([]);
    } finally {
      await database.close();
    }
  });

  it("a data directory that group or others can read stops the server with exit 1 and one line", { timeout: STARTUP_MS }, async () => {
    const dataDir = path.join(scratch, "loose");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const run = await runServer({ DATA_DIR: dataDir, BETTER_AUTH_SECRET: "s".repeat(32) });
    expect(await run.exited).toBe(1);
    const lines = run.output().trim().split("\n");
    expect(lines, run.output()).toHaveLength(1);
    expect(lines[0]).toMatch(/^ticked: the data directory .*loose is open to other users \(mode 0755\)/);
    expect(readdirSync(dataDir)).toEqual([]);
  });
});
