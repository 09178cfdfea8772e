import { Ajv2020 } from "ajv/dist/2020.js";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../../../test/app.js";
import { signUp } from "../../../test/users.js";
import { ACCOUNT_PATHS } from "./auth.openapi.js";

let t: TestApp;
let validator: Ajv2020;
const answered = new Set<string>();

beforeAll(async () => {
  t = await buildTestApp();
  const document = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
  // The document as one schema, so that its #/components/schemas references resolve; its
  // OpenAPI-only keywords are not JSON Schema, and formats are checked by Better Auth, not here.
  validator = new Ajv2020({ strict: false, validateFormats: false });
  validator.addSchema(document, "openapi");
});
afterAll(() => t.close());

const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

/** Sends the request and checks the answer against what the document declares for its status. */
async function documented(method: "GET" | "POST", url: string, options: Omit<InjectOptions, "method" | "url"> = {}) {
  const response: LightMyRequestResponse = await t.app.inject({ method, url, ...options });
  const status = String(response.statusCode);
  const operation = ACCOUNT_PATHS[url]?.[method === "GET" ? "get" : "post"];
  expect(operation?.responses[status], `${method} ${url} answered ${status}, which the document does not declare`).toBeDefined();
  const schema = `openapi#/${pointer("paths", url, method.toLowerCase(), "responses", status, "content", "application/json", "schema")}`;
  const validate = validator.getSchema(schema);
  expect(validate, schema).toBeDefined();
  expect(validate!(response.json()), `${method} ${url} → ${status} ${response.body}\n${JSON.stringify(validate!.errors)}`).toBe(true);
  answered.add(`${method} ${url} ${status}`);
  return response;
}

const json = (payload: unknown, cookie?: string) => ({
  headers: { origin: TEST_ORIGIN, "content-type": "application/json", ...(cookie ? { cookie } : {}) },
  payload: JSON.stringify(payload),
});

describe("the account routes' documentation", () => {
  it("matches what Better Auth answers, success and refusal, on every documented account route", async () => {
    const email = `doc-${Date.now()}@example.com`;
    const password = "correct horse battery staple";

    const signUpAnswer = await documented("POST", "/api/auth/sign-up/email", json({ name: "Ada", email, password }));
    expect(signUpAnswer.statusCode).toBe(200);
    await documented("POST", "/api/auth/sign-up/email", json({ name: "Ada", email, password }));
    await documented("POST", "/api/auth/sign-up/email", json({ name: "Ada", email: "not-an-email", password }));

    const signIn = await documented("POST", "/api/auth/sign-in/email", json({ email, password }));
    expect(signIn.statusCode).toBe(200);
    await documented("POST", "/api/auth/sign-in/email", json({ email, password: `${password}!` }));
    const cookie = String([signIn.headers["set-cookie"]].flat()[0]).split(";", 1)[0]!;

    expect((await documented("GET", "/api/auth/get-session", { headers: { cookie } })).json().user.email).toBe(email);
    expect((await documented("GET", "/api/auth/get-session")).json()).toBeNull();
    await documented("GET", "/api/auth/token", { headers: { cookie } });
    await documented("GET", "/api/auth/token");
    await documented("GET", "/api/auth/jwks");

    await documented("POST", "/api/auth/sign-out", { headers: { origin: TEST_ORIGIN, cookie } });
    await documented("POST", "/api/auth/sign-out", { headers: { origin: "https://evil.example", cookie } });

    const owner = await signUp(t.app, "Leaving");
    await documented("POST", "/api/auth/delete-user", json({ password: "not the password" }, owner.cookie));
    await documented("POST", "/api/auth/delete-user", json({ password: owner.password }));
    await documented("POST", "/api/auth/delete-user", json({ password: owner.password }, owner.cookie));

    for (const [path, item] of Object.entries(ACCOUNT_PATHS)) {
      for (const method of Object.keys(item)) {
        expect([...answered], `${method.toUpperCase()} ${path} was called and answered 200`).toContain(`${method.toUpperCase()} ${path} 200`);
      }
    }
  });
});
