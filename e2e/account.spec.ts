import AxeBuilder from "@axe-core/playwright";
import type { APIRequestContext, Browser, Locator, Page } from "@playwright/test";
import { type Account, signUp, taskApi } from "./support/api.js";
import { expect, test } from "./support/fixtures.js";
import { launchServer } from "./support/server.js";

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

/** Another browser (its own cookies) signed in to the same account. */
async function signInElsewhere(browser: Browser, baseURL: string, person: Account, userAgent?: string) {
  const context = await browser.newContext({ baseURL, userAgent });
  const response = await context.request.post("/api/auth/sign-in/email", {
    data: { email: person.email, password: person.password },
    headers: { origin: baseURL },
  });
  expect(response.status()).toBe(200);
  return context;
}

async function signedIn(request: APIRequestContext): Promise<boolean> {
  const response = await request.get("/api/auth/get-session");
  return (await response.json()) !== null;
}

async function signInAnswer(request: APIRequestContext, baseURL: string, email: string, password: string): Promise<number> {
  const response = await request.post(`${baseURL}/api/auth/sign-in/email`, { data: { email, password }, headers: { origin: baseURL } });
  return response.status();
}

/** Presses Tab until `target` has the focus, as a keyboard user would reach it. */
async function tabTo(page: Page, target: Locator, maxPresses = 30) {
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

const accountHeading = (page: Page) => page.getByRole("heading", { level: 1, name: "Account" });

async function openAccount(page: Page) {
  await page.goto("/account");
  await expect(accountHeading(page)).toBeVisible();
}

test("keyboard only: the header's Account link opens the page, and a new name is saved and shown in the header", async ({ tasks, page }) => {
  await tabTo(page, page.getByRole("link", { name: "Account" }));
  await page.keyboard.press("Enter");
  await expect(accountHeading(page)).toBeVisible();
  await expect(page).toHaveURL(/\/account$/);

  const name = page.getByLabel("Name", { exact: true });
  await tabTo(page, name);
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.type("Ada King");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status")).toHaveText("Name saved.");
  await expect(page.getByRole("banner")).toContainText("Ada King");

  await page.reload();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Ada King");
  await page.getByRole("link", { name: "Tasks" }).click();
  await expect(tasks.heading).toBeVisible();
});

test("changing the password needs the current one; done, it signs out the other browsers and keeps this one", async ({
  page,
  account,
  browser,
  server,
}) => {
  const laptop = await signInElsewhere(browser, server.url, account);
  await openAccount(page);
  const current = page.getByLabel("Current password");
  const next = page.getByLabel("New password");

  await current.fill("not my password");
  await next.fill("an even better passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("alert")).toContainText("That password is wrong.");
  await expect(page.getByRole("status")).toHaveText("");
  expect(await signedIn(laptop.request)).toBe(true);

  await current.fill(account.password);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText("Password changed. Your other sessions were signed out.");
  await expect(current).toHaveValue("");
  expect(await signedIn(laptop.request)).toBe(false);
  expect(await signedIn(page.context().request)).toBe(true);
  expect(await signInAnswer(page.context().request, server.url, account.email, account.password)).toBe(401);
  expect(await signInAnswer(laptop.request, server.url, account.email, "an even better passphrase")).toBe(200);
  await laptop.close();
});

test("the sessions list names each device and address; one can be signed out, then all the others", async ({ page, account, browser, server }) => {
  const phone = await signInElsewhere(browser, server.url, account, IPHONE);
  await openAccount(page);
  const sessions = page.getByRole("list", { name: "Signed-in sessions" });
  await expect(sessions.getByRole("listitem")).toHaveCount(2);
  await expect(sessions.getByRole("listitem").first()).toContainText("(this device)");
  await expect(sessions.getByRole("listitem").first()).toContainText("Chrome on Windows");
  const phoneItem = sessions.getByRole("listitem").filter({ hasText: "Safari on iOS" });
  await expect(phoneItem).toContainText("127.0.0.1");
  await expect(phoneItem).toContainText("last used");

  await phoneItem.getByRole("button", { name: /^Sign out Safari on iOS/ }).click();
  await expect(page.getByRole("status")).toHaveText("Signed out Safari on iOS.");
  await expect(sessions.getByRole("listitem")).toHaveCount(1);
  expect(await signedIn(phone.request)).toBe(false);

  const others = [await signInElsewhere(browser, server.url, account), await signInElsewhere(browser, server.url, account)];
  await page.reload();
  await expect(sessions.getByRole("listitem")).toHaveCount(3);
  await page.getByRole("button", { name: "Sign out all other sessions" }).click();
  await expect(page.getByRole("status")).toHaveText("Signed out everywhere else.");
  await expect(sessions.getByRole("listitem")).toHaveCount(1);
  for (const other of others) expect(await signedIn(other.request)).toBe(false);
  expect(await signedIn(page.context().request)).toBe(true);
  await Promise.all([phone, ...others].map((context) => context.close()));
});

test("deleting the account needs its password; done, the person is signed out and the account and its tasks are gone", async ({
  page,
  account,
  server,
}) => {
  const api = await taskApi(page.context().request, server.url, account.id);
  await api.createMany(["One", "Two"]);
  await openAccount(page);
  const password = page.getByLabel("Password", { exact: true });

  await page.getByRole("button", { name: "Delete account" }).click();
  await expect(password).toHaveAccessibleDescription(/Enter your password to confirm/);
  await password.fill("not my password");
  await page.getByRole("button", { name: "Delete account" }).click();
  await expect(page.getByRole("alert")).toContainText("That password is wrong.");
  expect(await signedIn(page.context().request)).toBe(true);

  await password.fill(account.password);
  await page.getByRole("button", { name: "Delete account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Ticked" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("Your account and all its tasks were deleted.");
  expect(await signedIn(page.context().request)).toBe(false);
  expect(await signInAnswer(page.context().request, server.url, account.email, account.password)).toBe(401);
});

test("rate limited: repeated wrong current passwords are answered with how long to wait", async ({ page }) => {
  // NODE_ENV=test turns Better Auth's per-address limits off; this server keeps them on.
  const limited = await launchServer({ NODE_ENV: "development", OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: "0" });
  try {
    const person = await signUp(page.context().request, limited.url);
    await page.goto(`${limited.url}/account`);
    await expect(accountHeading(page)).toBeVisible();
    await page.getByLabel("New password").fill("never going to be set");
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await page.getByLabel("Current password").fill(`guess number ${attempt}`);
      await page.getByRole("button", { name: "Change password" }).click();
      await expect(page.getByRole("alert")).toContainText(attempt < 3 ? "That password is wrong." : /Too many attempts\. Try again in \d+ seconds\./);
    }
    await expect(page.getByRole("status")).toHaveText("");
    expect(await signInAnswer(page.context().request, limited.url, person.email, person.password)).toBe(200);
  } finally {
    await limited.dispose();
  }
});

test("a server that cannot be reached: the account page says so, and never that the change was made", async ({ page, ownServer }) => {
  test.setTimeout(180_000);
  const server = await ownServer();
  await signUp(page.context().request, server.url);
  await page.goto(`${server.url}/account`);
  await expect(accountHeading(page)).toBeVisible();
  await server.stop("SIGKILL");

  await page.getByLabel("Name", { exact: true }).fill("Renamed offline");
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("alert")).toContainText("Can't reach the server");
  await expect(page.getByRole("status")).toHaveText("");

  await server.start();
  await page.getByRole("button", { name: "Save name" }).click();
  await expect(page.getByRole("status")).toHaveText("Name saved.");
  await expect(page.getByRole("banner")).toContainText("Renamed offline");
});

test("on a 390 px phone the account page fits the width, and it and the reset pages pass axe", async ({ page, account }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openAccount(page);
  await expect(page.getByText(`Signed in as ${account.email}`)).toBeVisible();
  await expect(page.getByRole("list", { name: "Signed-in sessions" }).getByRole("listitem")).toHaveCount(1);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  for (const button of ["Save name", "Change password", "Delete account"]) {
    const box = await page.getByRole("button", { name: button }).boundingBox();
    expect(box!.x + box!.width, button).toBeLessThanOrEqual(390);
  }
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("Enter your current password")).toBeVisible();
  const blocking = async (label: string) => {
    const { violations } = await new AxeBuilder({ page }).analyze();
    expect(
      violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(" ")) })),
      label,
    ).toEqual([]);
  };
  await blocking("account");
  await page.emulateMedia({ colorScheme: "dark" });
  await blocking("account-dark");
  await page.goto("/forgot-password");
  await expect(page.getByRole("heading", { level: 1, name: "Reset your password" })).toBeVisible();
  await blocking("forgot-password");
  await page.goto("/reset-password?token=anything");
  await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  await blocking("reset-password");
});
