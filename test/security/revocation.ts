import { expect } from "vitest";
import type { App } from "../../src/server/app.js";
import { TEST_ORIGIN } from "../app.js";
import type { TestUser } from "../users.js";
import { expectEnvelope } from "./actors.js";

/** Another device of the same user: a session cookie of its own, and a token minted for it. */
export async function signInAgain(app: App, user: Pick<TestUser, "email" | "password">) {
  const signIn = await app.inject({
    method: "POST",
    url: "/api/auth/sign-in/email",
    headers: { origin: TEST_ORIGIN },
    payload: { email: user.email, password: user.password },
  });
  expect(signIn.statusCode, signIn.body).toBe(200);
  const cookie = [signIn.headers["set-cookie"] ?? []]
    .flat()
    .find((value) => value.includes("session_token="))!
    .split(";", 1)[0]!;
  return { cookie, bearer: await tokenFor(app, cookie) };
}

export async function tokenFor(app: App, cookie: string) {
  const response = await app.inject({ method: "GET", url: "/api/auth/token", headers: { cookie } });
  expect(response.statusCode, response.body).toBe(200);
  return { authorization: `Bearer ${response.json<{ token: string }>().token}` };
}

const REVOCATION_DEADLINE_MS = 5_000;

/** The token is refused (401) no later than the deadline after the revocation. */
export async function expectRefusedWithin(app: App, tasksUrl: string, bearer: { authorization: string }) {
  const deadline = Date.now() + REVOCATION_DEADLINE_MS;
  for (;;) {
    const response = await app.inject({ method: "GET", url: tasksUrl, headers: bearer });
    if (response.statusCode === 401 || Date.now() > deadline) return expectEnvelope(response, 401, "UNAUTHORIZED");
    expect(response.statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
