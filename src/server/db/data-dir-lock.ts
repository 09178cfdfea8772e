import { chmodSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";

const LOCK_FILE = "server.pid";

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * PGlite does not lock its data directory, and two processes writing one directory corrupt it.
 * A pid file guards it; one left behind by a crashed process is taken over. The file is written
 * whole under a temporary name and then linked into place, so nobody ever reads it half-written.
 */
export function lockDataDir(dataDir: string): () => void {
  secureDataDir(dataDir);
  const file = path.join(dataDir, LOCK_FILE);
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, String(process.pid), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(draft, file);
        return () => rmSync(file, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        const owner = Number(readFileSync(file, "utf8"));
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner)) {
          throw new DataDirInUseError(dataDir, owner);
        }
        rmSync(file, { force: true });
      }
    }
    throw new DataDirInUseError(dataDir, NaN);
  } finally {
    rmSync(draft, { force: true });
  }
}

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`the embedded database in ${dataDir} is in use by another process (pid ${pid}); stop it first`);
    this.name = "DataDirInUseError";
  }
}

/** Group and other permission bits: none may be set on the data directory. */
const SHARED_BITS = 0o077;

/**
 * The embedded database holds password hashes and sessions, and PGlite creates its files with the
 * process umask (0644 or 0666 under the usual 022). A directory only its owner may enter protects
 * every file in it whatever their modes, files PGlite creates later included, without changing the
 * process-wide umask: so the directory is created 0700, and one that group or others may read or
 * write is refused rather than quietly fixed (its files may already have been copied, and the
 * operator who loosened it should decide).
 */
function secureDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o777;
  if (mode & SHARED_BITS) throw new DataDirPermissionsError(dataDir, mode);
}

/**
 * Files 0600 and directories 0700 under dataDir, for those that exist now: so a copy of the
 * directory that keeps modes (cp -p, tar) does not expose them. Files created later are covered by
 * the directory's own 0700.
 */
export function restrictDataDirFiles(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) {
      chmodSync(entryPath, 0o700);
      restrictDataDirFiles(entryPath);
    } else if (entry.isFile() && lstatSync(entryPath).mode & SHARED_BITS) {
      chmodSync(entryPath, 0o600);
    }
  }
}

export class DataDirPermissionsError extends Error {
  constructor(dataDir: string, mode: number) {
    super(
      `the data directory ${dataDir} is open to other users (mode ${mode.toString(8).padStart(4, "0")}); it holds password hashes: run chmod 700 ${dataDir}`,
    );
    this.name = "DataDirPermissionsError";
  }
}
