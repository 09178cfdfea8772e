import { randomInt } from "node:crypto";
import { eq } from "drizzle-orm";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import type { App } from "../../src/server/app.js";
import { withBetterAuth } from "../../src/server/auth/better-auth-gate.js";
import { task } from "../../src/server/db/schema/index.js";
import { TEST_ORIGIN } from "../app.js";
import { listAll } from "../tasks.js";
import type { TestUser } from "../users.js";

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A token signed by the server's own current key (Better Auth's server-only signJWT), with any claims. */
export async function signWithServerKey(app: App, payload: Record<string, unknown>): Promise<string> {
  const { token } = await withBetterAuth(() => app.auth.api.signJWT({ body: { payload } }));
  return token;
}

/** Deletes the account the way its owner would: Better Auth's delete-user, with the password. */
export async function deleteAccount(app: App, user: TestUser) {
  const response = await app.inject({
    method: "POST",
    url: "/api/auth/delete-user",
    headers: { cookie: user.cookie, origin: TEST_ORIGIN },
    payload: { password: user.password },
  });
  expect(response.statusCode, response.body).toBe(200);
}

/** Everything a user owns, as the API shows it to them (raw bytes) and as the database holds it. */
export async function snapshot(app: App, user: TestUser) {
  const tasks = await listAll(app, user, { limit: 200 });
  const list = await app.inject({ method: "GET", url: `${user.tasksUrl}?limit=200`, headers: user.bearer });
  const each: string[] = [];
  for (const one of tasks) {
    each.push((await app.inject({ method: "GET", url: `${user.tasksUrl}/${one.id}`, headers: user.bearer })).body);
  }
  const rows = await app.database.db.select().from(task).where(eq(task.userId, user.id)).orderBy(task.id);
  return { list: list.body, each, rows: JSON.stringify(rows) };
}

/** The contract's error envelope with this status and code; the response is named on failure. */
export function expectEnvelope(response: LightMyRequestResponse, status: number, code?: string, label = "") {
  const body = response.headers["content-type"]?.toString().startsWith("application/json") ? response.json() : response.body;
  expect({ label, status: response.statusCode, body }).toEqual({
    label,
    status,
    body: { success: false, error: expect.objectContaining({ code: code ?? expect.any(String), message: expect.any(String) }) },
  });
}

export const randomAddress = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

/**
 * The app, with every injected request from a new client address. Outside NODE_ENV=test Better
 * Auth limits sign-up and sign-in per address, in memory shared by every app of the process.
 */
export function fromRandomAddresses(app: App): App {
  return new Proxy(app, {
    get: (target, property) =>
      property === "inject"
        ? (options: InjectOptions) => target.inject({ remoteAddress: randomAddress(), ...options })
        : Reflect.get(target, property),
  });
}
