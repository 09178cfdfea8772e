import path from "node:path";

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export type DatabaseConfig =
  | { kind: "embedded"; dataDir: string }
  | { kind: "postgres"; url: string; poolMax: number; connectTimeoutMs: number; statementTimeoutMs: number };

export interface Config {
  nodeEnv: "production" | "development" | "test";
  host: string;
  port: number;
  logLevel: LogLevel;
  dataDir: string;
  database: DatabaseConfig;
  /** Null means "none configured": the caller generates one into dataDir (refused in production). */
  authSecret: string | null;
  /** The public origin of the app, e.g. https://todo.example.com. */
  publicUrl: string;
  /** Origins allowed to make cookie-authenticated writes, beyond publicUrl itself. */
  trustedOrigins: string[];
  /** Origins whose pages may call the API from a browser (CORS, with credentials); empty: none. */
  corsOrigins: string[];
  /** Authenticated task API requests per user per minute, counted by each instance. */
  rateLimitPerMinute: number;
  /** The built web app (vite build's output) served at /. */
  webDir: string;
  /** Mean event-loop delay above which requests are shed with 503; 0 means never. */
  overloadMaxEventLoopDelayMs: number;
}

/** A setting that stops the process at start: the message names the variable and the problem. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
export const MIN_SECRET_LENGTH = 32;
// Better Auth reads these from the environment by itself; honouring them there but not in our own
// checks (cookie-write origins, the secret's length) would split one setting in two.
const UNSUPPORTED = { BETTER_AUTH_SECRETS: "BETTER_AUTH_SECRET", BETTER_AUTH_TRUSTED_ORIGINS: "TRUSTED_ORIGINS" };

function setting(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === "" ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = setting(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function origin(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(name, `must use http or https, got "${url.protocol}"`);
  }
  return url.origin;
}

// node-postgres already treats these as verify-full (encrypted, certificate checked) and warns on
// stderr each start; saying so explicitly keeps the behaviour and the log clean.
const VERIFIED_SSL_MODES = new Set(["require", "prefer", "verify-ca"]);

/**
 * Accepts what people paste from Neon or from the seed's Python setup: postgres://, postgresql://
 * and SQLAlchemy's postgresql+asyncpg:// (whose ssl=require is libpq's sslmode=require).
 */
export function normalizeDatabaseUrl(raw: string): string {
  const match = /^(postgres|postgresql)(\+asyncpg)?:\/\//i.exec(raw);
  if (!match) {
    throw new ConfigError(
      "DATABASE_URL",
      "must start with postgres://, postgresql:// or postgresql+asyncpg://",
    );
  }
  let url: URL;
  try {
    url = new URL(`postgresql://${raw.slice(match[0].length)}`);
  } catch {
    throw new ConfigError("DATABASE_URL", "is not a valid URL");
  }
  if (!url.hostname && !url.searchParams.get("host")) {
    throw new ConfigError("DATABASE_URL", "has no host");
  }
  const asyncpgSsl = url.searchParams.get("ssl");
  if (asyncpgSsl !== null && !url.searchParams.has("sslmode")) {
    url.searchParams.delete("ssl");
    url.searchParams.set("sslmode", asyncpgSsl === "true" ? "require" : asyncpgSsl);
  }
  const sslmode = url.searchParams.get("sslmode");
  if (sslmode !== null && VERIFIED_SSL_MODES.has(sslmode)) url.searchParams.set("sslmode", "verify-full");
  return url.toString();
}

export function parseConfig(env: Env, cwd = process.cwd()): Config {
  for (const [name, instead] of Object.entries(UNSUPPORTED)) {
    if (setting(env, name) !== undefined) throw new ConfigError(name, `is not supported; use ${instead}`);
  }
  const nodeEnvRaw = setting(env, "NODE_ENV") ?? "development";
  if (nodeEnvRaw !== "production" && nodeEnvRaw !== "development" && nodeEnvRaw !== "test") {
    throw new ConfigError("NODE_ENV", `must be production, development or test, got "${nodeEnvRaw}"`);
  }
  const port = integer(env, "PORT", 8000, 0, 65535);
  const host = setting(env, "HOST") ?? "127.0.0.1";
  const logLevel = (setting(env, "LOG_LEVEL") ?? "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL", `must be one of ${LOG_LEVELS.join(", ")}, got "${logLevel}"`);
  }
  const dataDir = path.resolve(cwd, setting(env, "DATA_DIR") ?? "data");

  const databaseUrl = setting(env, "DATABASE_URL");
  const database: DatabaseConfig = databaseUrl
    ? {
        kind: "postgres",
        url: normalizeDatabaseUrl(databaseUrl),
        poolMax: integer(env, "DATABASE_POOL_MAX", 10, 1, 1000),
        // Both bound how long a request can wait on a database that stopped answering (docs/reliability.md).
        connectTimeoutMs: integer(env, "DATABASE_CONNECT_TIMEOUT_MS", 1_500, 100, 60_000),
        statementTimeoutMs: integer(env, "DATABASE_STATEMENT_TIMEOUT_MS", 5_000, 100, 600_000),
      }
    : { kind: "embedded", dataDir };

  const authSecret = setting(env, "BETTER_AUTH_SECRET") ?? null;
  if (authSecret === null && nodeEnvRaw === "production") {
    throw new ConfigError("BETTER_AUTH_SECRET", "is required when NODE_ENV=production");
  }
  if (authSecret !== null && authSecret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(
      "BETTER_AUTH_SECRET",
      `must be at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -base64 32)`,
    );
  }

  const publicUrl = origin("BETTER_AUTH_URL", setting(env, "BETTER_AUTH_URL") ?? `http://localhost:${port}`);
  const origins = (name: string) =>
    (setting(env, name) ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => origin(name, entry));

  return {
    nodeEnv: nodeEnvRaw,
    host,
    port,
    logLevel,
    dataDir,
    database,
    authSecret,
    publicUrl,
    trustedOrigins: origins("TRUSTED_ORIGINS"),
    corsOrigins: origins("CORS_ORIGINS"),
    rateLimitPerMinute: integer(env, "RATE_LIMIT_PER_MINUTE", 600, 1, 1_000_000),
    webDir: path.resolve(cwd, setting(env, "WEB_DIR") ?? "dist/web"),
    // Off by default under test: a test machine busy with parallel suites lags every process's event
    // loop, which would shed the very requests a test asserts on; the overload test turns it on.
    overloadMaxEventLoopDelayMs: integer(env, "OVERLOAD_MAX_EVENT_LOOP_DELAY_MS", nodeEnvRaw === "test" ? 0 : 1000, 0, 60_000),
  };
}
