import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_FAILURES_MAX } from "../../src/server/auth/auth.plugin.js";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../app.js";
import { signUp, type TestUser } from "../users.js";
import { randomAddress } from "./actors.js";

/**
 * The per-account sign-in lock against the spellings an attacker tried (issue 15, findings 1 and 2).
 * Over a real socket: an injected request's URL is normalised before the server sees it, and these
 * spellings are the point.
 */
let t: TestApp;
let origin: string;

beforeAll(async () => {
  t = await buildTestApp();
  // Ports 9700-9749 are this suite's; the two database projects run side by side.
  origin = await t.app.listen({ host: "127.0.0.1", port: t.kind === "pglite" ? 9710 : 9711 });
});
afterAll(() => t.close());

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A POST whose path and body go out byte for byte as given. */
function post(path: string, body: string | Buffer, contentType = "application/json"): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = request(
      `${origin}${path}`,
      { method: "POST", path, headers: { origin: TEST_ORIGIN, "content-type": contentType, "content-length": Buffer.byteLength(body) } },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode!, body: text, headers: response.headers }));
      },
    );
    sent.on("error", reject);
    sent.end(body);
  });
}

const json = (email: string, password: string) => JSON.stringify({ email, password });

/** Each spelling of one sign-in: the same account and password, a path or body Better Auth reads alike. */
const SPELLINGS: [string, (email: string, password: string) => Promise<Answer>][] = [
  ["the dot segment /sign-in/./email", (email, password) => post("/api/auth/sign-in/./email", json(email, password))],
  ["the encoded dot segment /sign-in/%2e/email", (email, password) => post("/api/auth/sign-in/%2e/email", json(email, password))],
  ["the parent segment /sign-in/x/../email", (email, password) => post("/api/auth/sign-in/x/../email", json(email, password))],
  ["the backslash /sign-in\\email", (email, password) => post("/api/auth/sign-in\\email", json(email, password))],
  ["the doubled slash /sign-in//email", (email, password) => post("/api/auth/sign-in//email", json(email, password))],
  [
    "a byte-order mark before the JSON",
    (email, password) => post("/api/auth/sign-in/email", Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json(email, password))])),
  ],
  [
    "a JSON/form polyglot sent as a form, whose JSON names another account",
    (email, password) =>
      post(
        "/api/auth/sign-in/email",
        `{"email":"decoy-${randomAddress()}@example.com","x":"&email=${encodeURIComponent(email)}&password=${encodeURIComponent(password)}&"}`,
        "application/x-www-form-urlencoded",
      ),
  ],
  [
    "a form",
    (email, password) => post("/api/auth/sign-in/email/", new URLSearchParams({ email, password }).toString(), "application/x-www-form-urlencoded"),
  ],
];

async function lockOut(owner: TestUser) {
  for (let attempt = 0; attempt < SIGN_IN_FAILURES_MAX; attempt += 1) {
    expect((await post("/api/auth/sign-in/email", json(owner.email, `wrong guess ${attempt}`))).status).toBe(401);
  }
}

describe("the sign-in lock has one parser: Better Auth's", () => {
  for (const [name, signIn] of SPELLINGS) {
    it(`after ${SIGN_IN_FAILURES_MAX} failures, ${name} is refused (429 or 404) and the right password does not sign in`, {
      timeout: 60_000,
    }, async () => {
      const owner = await signUp(t.app, "Locked");
      await lockOut(owner);
      for (let guess = 0; guess < 3; guess += 1) {
        const refused = await signIn(owner.email, `another guess ${guess}`);
        expect([404, 429], refused.body).toContain(refused.status);
      }
      const right = await signIn(owner.email, owner.password);
      expect([404, 429], right.body).toContain(right.status);
      expect(right.headers["set-cookie"]).toBeUndefined();
      const plain = await post("/api/auth/sign-in/email", json(owner.email, owner.password));
      expect(plain.status).toBe(429);
      expect(plain.headers["set-cookie"]).toBeUndefined();
    });
  }

  it("every spelling of the path that normalises to another is a 404 in the envelope, before Better Auth", async () => {
    const owner = await signUp(t.app, "Spelled");
    for (const [name, signIn] of SPELLINGS.slice(0, 5)) {
      const answer = await signIn(owner.email, owner.password);
      expect(answer.status, name).toBe(404);
      expect(JSON.parse(answer.body)).toMatchObject({ success: false, error: { code: "NOT_FOUND" } });
    }
  });

  it("each spelling of the body reaches Better Auth as the same sign-in: the right password signs in", async () => {
    for (const [name, signIn] of SPELLINGS.slice(5)) {
      const owner = await signUp(t.app, "Spelled");
      const answer = await signIn(owner.email, owner.password);
      expect(answer.status, `${name}: ${answer.body}`).toBe(200);
    }
  });
});

describe("the sign-in lock cannot be raced", () => {
  it(`30 parallel wrong passwords for one account, from 30 addresses: at most ${SIGN_IN_FAILURES_MAX} are checked, the rest 429`, {
    timeout: 60_000,
  }, async () => {
    const owner = await signUp(t.app, "Raced");
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, guess) =>
        t.app.inject({
          method: "POST",
          url: "/api/auth/sign-in/email",
          headers: { origin: TEST_ORIGIN },
          payload: { email: owner.email, password: `parallel guess ${guess}` },
          remoteAddress: randomAddress(),
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 401)).toHaveLength(SIGN_IN_FAILURES_MAX);
    expect(statuses.filter((status) => status === 429)).toHaveLength(30 - SIGN_IN_FAILURES_MAX);
    const right = await post("/api/auth/sign-in/email", json(owner.email, owner.password));
    expect(right.status).toBe(429);
  });
});
