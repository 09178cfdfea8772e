import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "../../../test/app.js";
import { signUp, type TestUser } from "../../../test/users.js";
import { user as userTable } from "../db/schema/index.js";

let t: TestApp;
let owner: TestUser;

beforeAll(async () => {
  t = await buildTestApp();
  owner = await signUp(t.app, "Owner");
});
afterAll(() => t.close());

const newEmail = () => `user-${randomUUID()}@example.com`;
const STRONG = "violet tractor sings at dawn";

function post(path: string, payload: Record<string, unknown>, cookie?: string) {
  return t.app.inject({
    method: "POST",
    url: `/api/auth/${path}`,
    headers: { origin: TEST_ORIGIN, ...(cookie ? { cookie } : {}) },
    payload,
  });
}

const signUpWith = (payload: Record<string, unknown>) => post("sign-up/email", { name: "Someone", email: newEmail(), ...payload });

async function usersWithEmail(email: string) {
  return t.app.database.db.select({ id: userTable.id }).from(userTable).where(eq(userTable.email, email));
}

async function storedName(userId: string) {
  const [row] = await t.app.database.db.select({ name: userTable.name }).from(userTable).where(eq(userTable.id, userId));
  return row?.name;
}

describe("passwords", () => {
  it("sign-up refuses eight spaces, four emoji and a common password, and creates no account", async () => {
    const cases: [string, string][] = [
      ["        ", "PASSWORD_TOO_WEAK"],
      ["😀😀😀😀", "PASSWORD_TOO_SHORT"],
      ["👍🏽👍🏽👍🏽👍🏽", "PASSWORD_TOO_SHORT"],
      ["password1", "PASSWORD_TOO_WEAK"],
      ["12345678", "PASSWORD_TOO_WEAK"],
    ];
    for (const [password, code] of cases) {
      const email = newEmail();
      const response = await post("sign-up/email", { name: "Weak", email, password });
      expect(response.statusCode, `${JSON.stringify(password)}: ${response.body}`).toBe(400);
      expect(response.json()).toEqual({ code, message: expect.stringMatching(/^Password /) });
      expect(await usersWithEmail(email)).toEqual([]);
    }
  });

  it("sign-up accepts a strong password, and eight characters counted as people count them", async () => {
    for (const password of [STRONG, "ℌ𝔞𝔯𝔡 𝔱𝔬 𝔤"]) {
      const email = newEmail();
      expect((await post("sign-up/email", { name: "Strong", email, password })).statusCode).toBe(200);
      expect((await post("sign-in/email", { email, password })).statusCode).toBe(200);
    }
  });

  it("a password made of the account's own email is too easy to guess", async () => {
    const email = `violetta.tractorowska-${randomUUID().slice(0, 4)}@example.com`;
    const response = await post("sign-up/email", { name: "Violetta", email, password: email });
    expect(response.json()).toMatchObject({ code: "PASSWORD_TOO_WEAK" });
  });

  it("change-password and reset-password refuse a weak new password; the old one still signs in", async () => {
    const user = await signUp(t.app);
    const change = await post("change-password", { currentPassword: user.password, newPassword: "password1" }, user.cookie);
    expect(change.statusCode).toBe(400);
    expect(change.json()).toMatchObject({ code: "PASSWORD_TOO_WEAK" });
    const reset = await post("reset-password", { token: "any", newPassword: "        " });
    expect(reset.statusCode).toBe(400);
    expect(reset.json()).toMatchObject({ code: "PASSWORD_TOO_WEAK" });
    expect((await post("sign-in/email", { email: user.email, password: user.password })).statusCode).toBe(200);

    const strong = await post("change-password", { currentPassword: user.password, newPassword: STRONG }, user.cookie);
    expect(strong.statusCode).toBe(200);
    expect((await post("sign-in/email", { email: user.email, password: STRONG })).statusCode).toBe(200);
  });
});

describe("display names", () => {
  it("a name of 60,000 characters is refused on sign-up and on update-user; 100 is accepted", async () => {
    const huge = "n".repeat(60_000);
    const email = newEmail();
    const signUpResponse = await post("sign-up/email", { name: huge, email, password: STRONG });
    expect(signUpResponse.statusCode).toBe(400);
    expect(signUpResponse.json()).toMatchObject({ code: "NAME_TOO_LONG" });
    expect(await usersWithEmail(email)).toEqual([]);

    const update = await post("update-user", { name: huge }, owner.cookie);
    expect(update.statusCode).toBe(400);
    expect(update.json()).toMatchObject({ code: "NAME_TOO_LONG" });
    expect(await storedName(owner.id)).toBe("Owner");

    expect((await post("update-user", { name: "😀".repeat(100) }, owner.cookie)).statusCode).toBe(200);
    expect((await post("update-user", { name: "😀".repeat(101) }, owner.cookie)).statusCode).toBe(400);
  });

  it("a name is stored trimmed, and a blank one is refused", async () => {
    const response = await signUpWith({ name: "  Ann Lee  ", password: STRONG });
    expect(response.statusCode).toBe(200);
    expect(response.json().user.name).toBe("Ann Lee");
    expect(await storedName(response.json().user.id)).toBe("Ann Lee");

    expect((await signUpWith({ name: "   ", password: STRONG })).json()).toMatchObject({ code: "NAME_REQUIRED" });
    const blank = await post("update-user", { name: " \t " }, owner.cookie);
    expect(blank.statusCode).toBe(400);
    expect(blank.json()).toMatchObject({ code: "NAME_REQUIRED" });

    expect((await post("update-user", { name: "  Owner  " }, owner.cookie)).statusCode).toBe(200);
    expect(await storedName(owner.id)).toBe("Owner");
  });

  it("a NUL in name or image on update-user is a 400, not a 500", async () => {
    for (const payload of [{ name: "a\u0000b" }, { image: "https://x.example/\u0000.png" }]) {
      const response = await post("update-user", payload, owner.cookie);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ code: "INVALID_CHARACTERS" });
    }
    expect((await signUpWith({ name: "a\u0000b", password: STRONG })).statusCode).toBe(400);
  });
});

describe("sign-up timing", () => {
  const ROUNDS = 10;
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  async function timed(payload: Record<string, unknown>) {
    const start = performance.now();
    const response = await post("sign-up/email", payload);
    return { ms: performance.now() - start, status: response.statusCode };
  }

  it("an email already taken is refused no faster than a new one is accepted, within a factor of 2", { timeout: 60_000 }, async () => {
    const taken: number[] = [];
    const fresh: number[] = [];
    // Interleaved, so a burst of load on the machine slows both kinds alike.
    for (let round = 0; round < ROUNDS; round++) {
      const existing = await timed({ name: "Again", email: owner.email, password: STRONG });
      expect(existing.status).toBe(422);
      taken.push(existing.ms);
      const created = await timed({ name: "New", email: newEmail(), password: STRONG });
      expect(created.status).toBe(200);
      fresh.push(created.ms);
    }
    const ratio = median(fresh) / median(taken);
    expect(ratio, `new ${median(fresh).toFixed(1)} ms, taken ${median(taken).toFixed(1)} ms`).toBeLessThan(2);
  });
});
