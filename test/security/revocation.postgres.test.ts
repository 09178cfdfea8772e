import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, buildApp } from "../../src/server/app.js";
import { parseConfig } from "../../src/server/config/config.js";
import { createPool, postgresDatabase } from "../../src/server/db/database.js";
import { capturingLogger, TEST_ORIGIN, TEST_SECRET } from "../app.js";
import { createTestDatabase } from "../database.js";
import { signUp } from "../users.js";
import { expectRefusedWithin, signInAgain } from "./revocation.js";

/**
 * Two instances on one PostgreSQL: a session ended through one stops its bearer tokens on the
 * other too, which learns of it from the database within its refresh interval, not per request.
 */
let first: App;
let second: App;

beforeAll(async () => {
  const config = parseConfig({ NODE_ENV: "test", BETTER_AUTH_SECRET: TEST_SECRET, LOG_LEVEL: "warn", WEB_DIR: "test/no-web-app" });
  const { database, url } = await createTestDatabase();
  if (!url) throw new Error("this suite needs the postgres project");
  const instance = (db: typeof database) => buildApp(config, { database: db, secret: TEST_SECRET, logger: capturingLogger(config.logLevel).logger });
  first = await instance(database);
  second = await instance(postgresDatabase(createPool({ connectionString: url, max: 2, connectTimeoutMs: 30_000 }, () => {})));
  await Promise.all([first.ready(), second.ready()]);
});
afterAll(async () => {
  // The first instance's close drops the test database, so the second lets go of it before.
  await second?.close();
  await first?.close();
});

describe("revocation across instances", () => {
  it("a sign-out through one instance refuses that session's token on the other within 5 s", async () => {
    const user = await signUp(first, "Two instances");
    const laptop = await signInAgain(first, user);
    expect((await second.inject({ method: "GET", url: user.tasksUrl, headers: user.bearer })).statusCode).toBe(200);
    const signOut = await first.inject({ method: "POST", url: "/api/auth/sign-out", headers: { cookie: user.cookie, origin: TEST_ORIGIN } });
    expect(signOut.statusCode).toBe(200);
    await expectRefusedWithin(second, user.tasksUrl, user.bearer);
    expect((await second.inject({ method: "GET", url: user.tasksUrl, headers: laptop.bearer })).statusCode).toBe(200);
  });

  it("a password change through one instance refuses the other sessions' tokens on the other within 5 s", async () => {
    const user = await signUp(first, "Two instances, new password");
    const laptop = await signInAgain(first, user);
    expect((await second.inject({ method: "GET", url: user.tasksUrl, headers: laptop.bearer })).statusCode).toBe(200);
    const changed = await first.inject({
      method: "POST",
      url: "/api/auth/change-password",
      headers: { cookie: user.cookie, origin: TEST_ORIGIN },
      payload: { currentPassword: user.password, newPassword: "a brand new passphrase" },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    await expectRefusedWithin(second, user.tasksUrl, laptop.bearer);
  });
});
