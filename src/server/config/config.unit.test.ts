import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, normalizeDatabaseUrl, parseConfig } from "./config.js";

const SECRET = "s".repeat(32);

function configError(env: Record<string, string>): string {
  try {
    parseConfig(env, "/srv/ticked");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("defaults to the embedded database in ./data on 127.0.0.1:8000", () => {
    const config = parseConfig({}, "/srv/ticked");
    expect(config).toMatchObject({
      nodeEnv: "development",
      host: "127.0.0.1",
      port: 8000,
      logLevel: "info",
      dataDir: path.resolve("/srv/ticked/data"),
      database: { kind: "embedded", dataDir: path.resolve("/srv/ticked/data") },
      authSecret: null,
      publicUrl: "http://localhost:8000",
      trustedOrigins: [],
      rateLimitPerMinute: 600,
      webDir: path.resolve("/srv/ticked/dist/web"),
      overloadMaxEventLoopDelayMs: 1000,
    });
  });

  it("turns load shedding off with OVERLOAD_MAX_EVENT_LOOP_DELAY_MS=0, and by default under NODE_ENV=test", () => {
    expect(parseConfig({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: "0" }).overloadMaxEventLoopDelayMs).toBe(0);
    expect(parseConfig({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: "250" }).overloadMaxEventLoopDelayMs).toBe(250);
    expect(parseConfig({ NODE_ENV: "test" }).overloadMaxEventLoopDelayMs).toBe(0);
    expect(parseConfig({ NODE_ENV: "test", OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: "100" }).overloadMaxEventLoopDelayMs).toBe(100);
  });

  it("treats an empty variable as unset", () => {
    expect(parseConfig({ DATABASE_URL: "", PORT: " " }, "/srv").database.kind).toBe("embedded");
  });

  it("derives the public URL from PORT and accepts an explicit one", () => {
    expect(parseConfig({ PORT: "9000" }).publicUrl).toBe("http://localhost:9000");
    expect(parseConfig({ BETTER_AUTH_URL: "https://todo.example.com/" }).publicUrl).toBe("https://todo.example.com");
  });

  it("reads PostgreSQL settings", () => {
    const config = parseConfig({ DATABASE_URL: "postgres://u:p@db:5432/app", DATABASE_POOL_MAX: "20" });
    expect(config.database).toEqual({
      kind: "postgres",
      url: "postgresql://u:p@db:5432/app",
      poolMax: 20,
      connectTimeoutMs: 1_500,
      statementTimeoutMs: 5_000,
    });
    const bounded = parseConfig({ DATABASE_URL: "postgres://db/app", DATABASE_CONNECT_TIMEOUT_MS: "800", DATABASE_STATEMENT_TIMEOUT_MS: "300" });
    expect(bounded.database).toMatchObject({ connectTimeoutMs: 800, statementTimeoutMs: 300 });
    expect(configError({ DATABASE_URL: "postgres://db/app", DATABASE_STATEMENT_TIMEOUT_MS: "5" })).toMatch(
      /^DATABASE_STATEMENT_TIMEOUT_MS must be a whole number from 100/,
    );
  });

  it("names the variable and the problem for every bad value", () => {
    expect(configError({ PORT: "eighty" })).toBe('PORT must be a whole number from 0 to 65535, got "eighty"');
    expect(configError({ PORT: "70000" })).toMatch(/^PORT /);
    expect(configError({ LOG_LEVEL: "loud" })).toMatch(/^LOG_LEVEL must be one of fatal, error/);
    expect(configError({ NODE_ENV: "staging" })).toMatch(/^NODE_ENV /);
    expect(configError({ DATABASE_URL: "mysql://db/app" })).toMatch(/^DATABASE_URL must start with postgres:\/\//);
    expect(configError({ DATABASE_URL: "postgres://" })).toBe("DATABASE_URL has no host");
    expect(configError({ DATABASE_POOL_MAX: "0", DATABASE_URL: "postgres://db/app" })).toMatch(/^DATABASE_POOL_MAX /);
    expect(configError({ BETTER_AUTH_SECRET: "short" })).toMatch(/^BETTER_AUTH_SECRET must be at least 32 characters/);
    expect(configError({ BETTER_AUTH_URL: "not a url" })).toMatch(/^BETTER_AUTH_URL must be an absolute http\(s\) URL/);
    expect(configError({ BETTER_AUTH_URL: "ftp://x" })).toMatch(/^BETTER_AUTH_URL must use http or https/);
    expect(configError({ TRUSTED_ORIGINS: "https://ok.example, nope" })).toMatch(/^TRUSTED_ORIGINS /);
    expect(configError({ RATE_LIMIT_PER_MINUTE: "-1" })).toMatch(/^RATE_LIMIT_PER_MINUTE /);
    expect(configError({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: "1s" })).toMatch(
      /^OVERLOAD_MAX_EVENT_LOOP_DELAY_MS must be a whole number from 0 to 60000/,
    );
  });

  it("requires a secret in production and never echoes it", () => {
    expect(configError({ NODE_ENV: "production" })).toBe("BETTER_AUTH_SECRET is required when NODE_ENV=production");
    expect(configError({ BETTER_AUTH_SECRET: "tooShortButSecret" })).not.toContain("tooShortButSecret");
    expect(parseConfig({ NODE_ENV: "production", BETTER_AUTH_SECRET: SECRET }).authSecret).toBe(SECRET);
  });

  it("refuses a wildcard in TRUSTED_ORIGINS or CORS_ORIGINS with one line naming the variable", () => {
    expect(configError({ TRUSTED_ORIGINS: "http://*" })).toBe('TRUSTED_ORIGINS must list exact origins, without wildcards, got "http://*"');
    expect(configError({ TRUSTED_ORIGINS: "https://ok.example, https://*.example.com" })).toMatch(/^TRUSTED_ORIGINS must list exact origins/);
    expect(configError({ CORS_ORIGINS: "*" })).toMatch(/^CORS_ORIGINS must list exact origins/);
  });

  it("caps tasks per user at 100,000 unless TASKS_PER_USER_MAX says otherwise", () => {
    expect(parseConfig({}).tasksPerUserMax).toBe(100_000);
    expect(parseConfig({ TASKS_PER_USER_MAX: "3" }).tasksPerUserMax).toBe(3);
    expect(configError({ TASKS_PER_USER_MAX: "0" })).toMatch(/^TASKS_PER_USER_MAX must be a whole number from 1/);
  });

  it("parses trusted origins to bare origins", () => {
    expect(parseConfig({ TRUSTED_ORIGINS: "https://a.example/path, http://b.example:3000" }).trustedOrigins).toEqual([
      "https://a.example",
      "http://b.example:3000",
    ]);
  });
});

describe("normalizeDatabaseUrl", () => {
  it("accepts postgres:// and postgresql://", () => {
    expect(normalizeDatabaseUrl("postgres://u@h/db")).toBe("postgresql://u@h/db");
    expect(normalizeDatabaseUrl("postgresql://u@h:6543/db")).toBe("postgresql://u@h:6543/db");
  });

  it("accepts SQLAlchemy's asyncpg form, postgresql+asyncpg://, and its ssl=require", () => {
    expect(normalizeDatabaseUrl("postgresql+asyncpg://u:p@ep-x.neon.tech/neondb?ssl=require")).toBe(
      "postgresql://u:p@ep-x.neon.tech/neondb?sslmode=verify-full",
    );
  });

  it("honours Neon's sslmode=require as an encrypted, verified connection and keeps other parameters", () => {
    const neon = "postgresql://u:p@ep-cool-1.eu-central-1.aws.neon.tech/neondb?sslmode=require&channel_binding=require";
    expect(normalizeDatabaseUrl(neon)).toBe(neon.replace("sslmode=require", "sslmode=verify-full"));
    expect(normalizeDatabaseUrl("postgres://h/db?sslmode=disable")).toBe("postgresql://h/db?sslmode=disable");
  });

  it("refuses the Better Auth variables it would read behind our back", () => {
    expect(() => parseConfig({ BETTER_AUTH_SECRETS: "1:abc" })).toThrow("BETTER_AUTH_SECRETS is not supported; use BETTER_AUTH_SECRET");
    expect(() => parseConfig({ BETTER_AUTH_TRUSTED_ORIGINS: "https://x.example" })).toThrow(
      "BETTER_AUTH_TRUSTED_ORIGINS is not supported; use TRUSTED_ORIGINS",
    );
  });
});
