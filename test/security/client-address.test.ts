import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { session } from "../../src/server/db/schema/index.js";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../app.js";
import { signUp, type TestUser } from "../users.js";
import { expectEnvelope } from "./actors.js";

/**
 * Which client a request is counted against (issue 15, findings 3 and 10): the address Fastify
 * derives (X-Forwarded-For only from a trusted proxy, IPv6 by /64) and, once signed in, the user.
 */
const LIMIT = 3;
const PROXY = "10.9.8.7";
let direct: TestApp;
let proxied: TestApp;
let directUser: TestUser;
let proxiedUser: TestUser;

beforeAll(async () => {
  [direct, proxied] = await Promise.all([
    buildTestApp({ RATE_LIMIT_PER_MINUTE: String(LIMIT) }),
    buildTestApp({ RATE_LIMIT_PER_MINUTE: String(LIMIT), TRUST_PROXY: "1" }),
  ]);
  [directUser, proxiedUser] = await Promise.all([signUp(direct.app, "Direct"), signUp(proxied.app, "Proxied")]);
});
afterAll(() => Promise.all([direct?.close(), proxied?.close()]));

/** A task request with a forged session: an authentication failure counted against its address. */
function forged(t: TestApp, user: TestUser, remoteAddress: string, forwardedFor?: string) {
  const headers: Record<string, string> = { cookie: "better-auth.session_token=forged.value" };
  if (forwardedFor) headers["x-forwarded-for"] = forwardedFor;
  return t.app.inject({ method: "GET", url: user.tasksUrl, headers, remoteAddress });
}

async function statuses(count: number, send: () => Promise<{ statusCode: number }>) {
  const answers = [];
  for (let index = 0; index < count; index += 1) answers.push((await send()).statusCode);
  return answers;
}

describe("the client address", () => {
  it("with TRUST_PROXY=1, two clients behind one proxy (different X-Forwarded-For) do not share a limit", async () => {
    expect(await statuses(LIMIT + 1, () => forged(proxied, proxiedUser, PROXY, "203.0.113.1"))).toEqual([...Array(LIMIT).fill(401), 429]);
    expect((await forged(proxied, proxiedUser, PROXY, "203.0.113.2")).statusCode).toBe(401);
  });

  it("without TRUST_PROXY, X-Forwarded-For is ignored: one address, whatever it claims to forward", async () => {
    expect(await statuses(LIMIT, () => forged(direct, directUser, "10.1.1.1", "203.0.113.1"))).toEqual(Array(LIMIT).fill(401));
    expectEnvelope(await forged(direct, directUser, "10.1.1.1", "203.0.113.2"), 429, "RATE_LIMITED");
    expect((await forged(direct, directUser, "10.1.1.2", "203.0.113.1")).statusCode).toBe(401);
  });

  it("two IPv6 addresses in one /64 share a limit; another /64 does not", async () => {
    expect(await statuses(LIMIT, () => forged(direct, directUser, "2001:db8:1:2::1"))).toEqual(Array(LIMIT).fill(401));
    expectEnvelope(await forged(direct, directUser, "2001:db8:1:2:ffff::99"), 429, "RATE_LIMITED");
    expect((await forged(direct, directUser, "2001:db8:1:3::1")).statusCode).toBe(401);
  });

  it("Better Auth sees the same client address: the session records the forwarded client behind a trusted proxy", async () => {
    const signIn = await proxied.app.inject({
      method: "POST",
      url: "/api/auth/sign-in/email",
      headers: { origin: TEST_ORIGIN, "x-forwarded-for": "198.51.100.9" },
      payload: { email: proxiedUser.email, password: proxiedUser.password },
      remoteAddress: PROXY,
    });
    expect(signIn.statusCode).toBe(200);
    const rows = await proxied.app.database.db.select({ ipAddress: session.ipAddress }).from(session).where(eq(session.userId, proxiedUser.id));
    expect(rows.map((row) => row.ipAddress)).toContain("198.51.100.9");
  });
});

describe("requests to another user's path", () => {
  it(`count against the caller: after ${LIMIT} answers of 403, the caller gets 429, and its own path too`, async () => {
    const prober = await signUp(direct.app, "Prober");
    const probed = await signUp(direct.app, "Probed");
    const probe = () => direct.app.inject({ method: "GET", url: probed.tasksUrl, headers: prober.bearer });
    expect(await statuses(LIMIT, probe)).toEqual(Array(LIMIT).fill(403));
    expectEnvelope(await probe(), 429, "RATE_LIMITED");
    expectEnvelope(await direct.app.inject({ method: "GET", url: prober.tasksUrl, headers: prober.bearer }), 429, "RATE_LIMITED");
    expect((await direct.app.inject({ method: "GET", url: probed.tasksUrl, headers: probed.bearer })).statusCode).toBe(200);
  });
});
