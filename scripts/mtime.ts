import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** The newest modification time of the files under dir, tests left out: what a build depends on. */
export function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "test" || entry.name.includes(".test.")) continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** When file was last written, or 0 when it does not exist. */
export function writtenAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
