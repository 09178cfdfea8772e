import { Writable } from "node:stream";
import { type App, buildApp } from "../src/server/app.js";
import { type Config, parseConfig } from "../src/server/config/config.js";
import { createLogger } from "../src/server/logger.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

export const TEST_SECRET = "test-secret-that-is-long-enough-0123456789";
export const TEST_ORIGIN = "http://localhost:8000";

export interface TestApp {
  app: App;
  config: Config;
  kind: TestDatabase["kind"];
  /** Every line the server logged, as written (JSON). */
  logs: string[];
  close(): Promise<void>;
}

/** The real app on a fresh database of this project's kind, configured as in production but for the environment. */
export async function buildTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  // No web app unless a test gives one (WEB_DIR): the API suites answer the same with or without a local build.
  const config = parseConfig({ NODE_ENV: "test", BETTER_AUTH_SECRET: TEST_SECRET, LOG_LEVEL: "info", WEB_DIR: "test/no-web-app", ...env });
  const { database, kind } = await createTestDatabase();
  const { logger, logs } = capturingLogger(config.logLevel);
  const app = await buildApp(config, { database, secret: config.authSecret!, logger });
  return { app, config, kind, logs, close: () => app.close() };
}

/** The production logger, writing into an array of its lines (JSON) instead of standard output. */
export function capturingLogger(level: Config["logLevel"]) {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, sink), logs };
}
