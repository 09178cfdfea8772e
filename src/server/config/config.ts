import path from "node:path";
import envSchema from "env-schema";
import ipaddr from "ipaddr.js";
import { type Static, Type } from "typebox";

export type DatabaseConfig =
  | { kind: "embedded"; dataDir: string }
  | { kind: "postgres"; url: string; poolMax: number; connectTimeoutMs: number; statementTimeoutMs: number };

export interface Config {
  nodeEnv: ParsedEnv["NODE_ENV"];
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
  /** Fastify's trustProxy: which hops' X-Forwarded-For to believe for the client address; false: none. */
  trustProxy: TrustProxy;
  /** Authenticated task API requests per user per minute. */
  rateLimitPerMinute: number;
  /** The most tasks one account may hold; a create beyond it is 403 QUOTA_EXCEEDED. */
  tasksPerUserMax: number;
  /** The built web app (vite build's output) served at /. */
  webDir: string;
  /** Mean event-loop delay above which requests are shed with 503; 0 means never. */
  overloadMaxEventLoopDelayMs: number;
  /** The mail server for password-reset mail (smtp:// or smtps://); null: reset links go to the log. */
  smtpUrl: string | null;
}

/** A setting that stops the process at start: the message names the variable and the problem. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable} ${problem}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

export const MIN_SECRET_LENGTH = 32;
// Better Auth reads these from the environment by itself; honouring them there but not in our own
// checks (cookie-write origins, the secret's length) would split one setting in two.
const UNSUPPORTED = { BETTER_AUTH_SECRETS: "BETTER_AUTH_SECRET", BETTER_AUTH_TRUSTED_ORIGINS: "TRUSTED_ORIGINS" };

const wholeNumber = (minimum: number, maximum: number, fallback?: number) =>
  fallback === undefined ? Type.Optional(Type.Integer({ minimum, maximum })) : Type.Integer({ minimum, maximum, default: fallback });

/** The variables, their types, bounds and defaults; what depends on another variable is derived below. */
const EnvSchema = Type.Object({
  NODE_ENV: Type.Enum(["production", "development", "test"], { default: "development" }),
  HOST: Type.String({ default: "127.0.0.1" }),
  PORT: wholeNumber(0, 65535, 8000),
  LOG_LEVEL: Type.Enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { default: "info" }),
  DATA_DIR: Type.String({ default: "data" }),
  DATABASE_URL: Type.Optional(Type.String()),
  DATABASE_POOL_MAX: wholeNumber(1, 1000, 10),
  // Both bound how long a request can wait on a database that stopped answering (docs/reliability.md).
  DATABASE_CONNECT_TIMEOUT_MS: wholeNumber(100, 60_000, 1_500),
  DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber(100, 600_000, 5_000),
  BETTER_AUTH_SECRET: Type.Optional(Type.String()),
  BETTER_AUTH_URL: Type.Optional(Type.String()),
  TRUSTED_ORIGINS: Type.String({ default: "" }),
  CORS_ORIGINS: Type.String({ default: "" }),
  RATE_LIMIT_PER_MINUTE: wholeNumber(1, 1_000_000, 600),
  TASKS_PER_USER_MAX: wholeNumber(1, 10_000_000, 100_000),
  WEB_DIR: Type.String({ default: "dist/web" }),
  OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: wholeNumber(0, 60_000),
  TRUST_PROXY: Type.Optional(Type.String()),
  SMTP_URL: Type.Optional(Type.String()),
});
type ParsedEnv = Static<typeof EnvSchema>;
export type LogLevel = ParsedEnv["LOG_LEVEL"];

/** Ajv's first complaint as one line naming the variable; the value is echoed only where it is no secret. */
function schemaError(error: unknown, env: Env): ConfigError {
  const [first] = (error as { errors?: { instancePath: string }[] }).errors ?? [];
  const name = first?.instancePath.slice(1) as keyof ParsedEnv | undefined;
  const rule = name ? (EnvSchema.properties[name] as { enum?: string[]; minimum?: number; maximum?: number }) : undefined;
  if (!name || !rule) return new ConfigError("the environment", (error as Error).message);
  const got = `got "${env[name]}"`;
  if (rule.enum) return new ConfigError(name, `must be one of ${rule.enum.join(", ")}, ${got}`);
  return new ConfigError(name, `must be a whole number from ${rule.minimum} to ${rule.maximum}, ${got}`);
}

/** Surrounding spaces dropped; an empty variable is an unset one. */
function settings(env: Env): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    const trimmed = value?.trim();
    if (trimmed) set[name] = trimmed;
  }
  return set;
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
 * Accepts what people paste from Neon or in SQLAlchemy's asyncpg form: postgres://, postgresql://
 * and postgresql+asyncpg:// (whose ssl=require is libpq's sslmode=require).
 */
export function normalizeDatabaseUrl(raw: string): string {
  const match = /^(postgres|postgresql)(\+asyncpg)?:\/\//i.exec(raw);
  if (!match) {
    throw new ConfigError("DATABASE_URL", "must start with postgres://, postgresql:// or postgresql+asyncpg://");
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

type TrustProxy = boolean | number | string[];

// proxy-addr's (Fastify's) names for the loopback, link-local and unique-local ranges.
const PROXY_RANGE_NAMES = new Set(["loopback", "linklocal", "uniquelocal"]);

const isAddressOrRange = (entry: string) => PROXY_RANGE_NAMES.has(entry) || ipaddr.isValid(entry) || isCidr(entry);
function isCidr(entry: string): boolean {
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

/** "true", a hop count, or a comma-separated list of proxy addresses and CIDR ranges; unset: no proxy. */
function trustProxy(raw: string | undefined): TrustProxy {
  if (raw === undefined || raw === "false") return false;
  if (raw === "true") return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(",").map((entry) => entry.trim());
  if (entries.every(isAddressOrRange)) return entries;
  throw new ConfigError("TRUST_PROXY", `must be true, a hop count, or comma-separated proxy addresses or CIDR ranges, got "${raw}"`);
}

export function parseConfig(rawEnv: Env, cwd = process.cwd()): Config {
  const env = settings(rawEnv);
  for (const [name, instead] of Object.entries(UNSUPPORTED)) {
    if (env[name] !== undefined) throw new ConfigError(name, `is not supported; use ${instead}`);
  }
  let parsed: ParsedEnv;
  try {
    // env: false: the caller's variables only, never process.env behind its back.
    parsed = envSchema<ParsedEnv>({ schema: EnvSchema, data: env, env: false });
  } catch (error) {
    throw schemaError(error, env);
  }
  const dataDir = path.resolve(cwd, parsed.DATA_DIR);
  const database: DatabaseConfig = parsed.DATABASE_URL
    ? {
        kind: "postgres",
        url: normalizeDatabaseUrl(parsed.DATABASE_URL),
        poolMax: parsed.DATABASE_POOL_MAX,
        connectTimeoutMs: parsed.DATABASE_CONNECT_TIMEOUT_MS,
        statementTimeoutMs: parsed.DATABASE_STATEMENT_TIMEOUT_MS,
      }
    : { kind: "embedded", dataDir };

  const authSecret = parsed.BETTER_AUTH_SECRET ?? null;
  if (authSecret === null && parsed.NODE_ENV === "production") {
    throw new ConfigError("BETTER_AUTH_SECRET", "is required when NODE_ENV=production");
  }
  if (authSecret !== null && authSecret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError("BETTER_AUTH_SECRET", `must be at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -base64 32)`);
  }

  // The URL carries the mail server's password: the message never echoes it.
  if (parsed.SMTP_URL !== undefined && !/^smtps?:\/\/[^/?#\s]+/i.test(parsed.SMTP_URL)) {
    throw new ConfigError("SMTP_URL", "must be smtp://[user:pass@]host[:port] or smtps://...");
  }

  const origins = (name: "TRUSTED_ORIGINS" | "CORS_ORIGINS") =>
    parsed[name]
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        // Better Auth reads "*" in a trusted origin as a wildcard (an open redirect after sign-in),
        // and our own origin check reads it literally: one setting must mean one thing, so neither.
        if (entry.includes("*")) throw new ConfigError(name, `must list exact origins, without wildcards, got "${entry}"`);
        return origin(name, entry);
      });

  return {
    nodeEnv: parsed.NODE_ENV,
    host: parsed.HOST,
    port: parsed.PORT,
    logLevel: parsed.LOG_LEVEL,
    dataDir,
    database,
    authSecret,
    publicUrl: origin("BETTER_AUTH_URL", parsed.BETTER_AUTH_URL ?? `http://localhost:${parsed.PORT}`),
    trustedOrigins: origins("TRUSTED_ORIGINS"),
    corsOrigins: origins("CORS_ORIGINS"),
    trustProxy: trustProxy(parsed.TRUST_PROXY),
    rateLimitPerMinute: parsed.RATE_LIMIT_PER_MINUTE,
    tasksPerUserMax: parsed.TASKS_PER_USER_MAX,
    webDir: path.resolve(cwd, parsed.WEB_DIR),
    // Off by default under test: a test machine busy with parallel suites lags every process's event
    // loop, which would shed the very requests a test asserts on; the overload test turns it on.
    overloadMaxEventLoopDelayMs: parsed.OVERLOAD_MAX_EVENT_LOOP_DELAY_MS ?? (parsed.NODE_ENV === "test" ? 0 : 1000),
    smtpUrl: parsed.SMTP_URL ?? null,
  };
}
