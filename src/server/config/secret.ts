import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, MIN_SECRET_LENGTH } from "./config.js";

export const GENERATED_SECRET_FILE = "auth-secret";

/**
 * Outside production a missing BETTER_AUTH_SECRET is generated once and kept in the data directory,
 * so sessions and signing keys survive restarts. Several instances must share one secret instead.
 */
export function loadOrCreateSecret(dataDir: string, warn: (message: string) => void): string {
  const file = path.join(dataDir, GENERATED_SECRET_FILE);
  let stored: string | undefined;
  try {
    stored = readFileSync(file, "utf8").trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new ConfigError("BETTER_AUTH_SECRET", `is unset and ${file} cannot be read (${code})`);
  }
  if (stored !== undefined) {
    if (stored.length < MIN_SECRET_LENGTH) {
      throw new ConfigError(
        "BETTER_AUTH_SECRET",
        `is unset and ${file} holds fewer than ${MIN_SECRET_LENGTH} characters; delete the file to generate a new secret (this signs everyone out)`,
      );
    }
    return stored;
  }
  // 0700: the embedded database refuses a data directory others can read (data-dir-lock.ts).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
  warn(`BETTER_AUTH_SECRET is not set: generated one into ${file}. Set it explicitly in production.`);
  return secret;
}
