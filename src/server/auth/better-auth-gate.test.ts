import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../../../test/app.js";
import { signUp } from "../../../test/users.js";
import { betterAuthStorages } from "./better-auth-gate.js";

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

/** Node 20's AsyncLocalStorage keeps the flag that decides whether its promise hooks are installed. */
const enabled = () => betterAuthStorages().map((storage) => (storage as unknown as { enabled: boolean }).enabled);

describe.runIf(Number(process.versions.node.split(".")[0]) < 24)("Better Auth's async context between calls", () => {
  it("is found where the gate looks for it: Better Auth's global keeps AsyncLocalStorage instances", async () => {
    await signUp(t.app);
    // Fails the day Better Auth moves its storages: the gate would then silently do nothing.
    expect(betterAuthStorages().length).toBeGreaterThan(0);
    expect(enabled().every((flag) => typeof flag === "boolean")).toBe(true);
  });

  it("is switched off once no Better Auth call is in flight, and back on for the next", async () => {
    const user = await signUp(t.app);
    expect(betterAuthStorages().length).toBeGreaterThan(0);
    expect(enabled().every((flag) => flag === false)).toBe(true);

    // Many calls at once, overlapping task requests: each Better Auth call still finds its state.
    const sessions = Array.from({ length: 12 }, () =>
      t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie: user.cookie } }),
    );
    const listsByCookie = Array.from({ length: 12 }, () => t.app.inject({ method: "GET", url: user.tasksUrl, headers: { cookie: user.cookie } }));
    const signUps = Array.from({ length: 4 }, (_, i) =>
      t.app.inject({
        method: "POST",
        url: "/api/auth/sign-up/email",
        headers: { origin: TEST_ORIGIN },
        payload: { name: "Gate", email: `gate-${i}-${Date.now()}@example.com`, password: "correct horse battery staple" },
      }),
    );
    const answers = await Promise.all([...sessions, ...listsByCookie, ...signUps]);
    expect(answers.map((answer) => answer.statusCode)).toEqual(answers.map(() => 200));
    expect(sessions[0] && (await sessions[0]).json().user.id).toBe(user.id);
    expect(enabled().every((flag) => flag === false)).toBe(true);
  });
});
