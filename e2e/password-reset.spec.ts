import { linkIn, type MailServer, startMailServer } from "../test/mail-server.js";
import { newAccount, signUp } from "./support/api.js";
import { test as base, expect } from "./support/fixtures.js";
import { launchServer } from "./support/server.js";

// This file's server mails through a real SMTP server started beside it.
const test = base.extend<object, { mail: MailServer }>({
  mail: [
    async ({}, use) => {
      const mail = await startMailServer();
      await use(mail);
      await mail.close();
    },
    { scope: "worker" },
  ],
  server: [
    async ({ mail }, use) => {
      const server = await launchServer({ SMTP_URL: mail.url });
      await use(server);
      await server.dispose();
    },
    { scope: "worker", timeout: 90_000 },
  ],
});

const NEW_PASSWORD = "a fresh start at last";

test("a forgotten password is reset by mail: ask, receive the link, follow it, set a new password, sign in with it", async ({
  page,
  request,
  server,
  mail,
}) => {
  const person = await signUp(request, server.url);
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reset your password" })).toBeVisible();
  await page.getByLabel("Email").fill(person.email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText(`If an account uses ${person.email}, a link to choose a new password is on its way`)).toBeVisible();

  const link = linkIn(await mail.nextMailTo(person.email));
  expect(link.origin).toBe(server.url);
  await page.goto(link.pathname + link.search);
  await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  await page.getByLabel("New password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Ticked" })).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("Password changed. Sign in with your new password.");
  await page.getByLabel("Email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("Wrong email or password.");
  await page.getByLabel("Password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
  await expect(page.getByRole("banner")).toContainText(person.name);
});

test("a reset link used once is refused the second time, and the page says to ask for a new one", async ({ page, request, server, mail }) => {
  const person = await signUp(request, server.url);
  await request.post(`${server.url}/api/auth/request-password-reset`, { data: { email: person.email }, headers: { origin: server.url } });
  const link = linkIn(await mail.nextMailTo(person.email));
  const used = await request.post(`${server.url}/api/auth/reset-password`, {
    data: { token: link.searchParams.get("token"), newPassword: NEW_PASSWORD },
    headers: { origin: server.url },
  });
  expect(used.status()).toBe(200);

  await page.goto(link.pathname + link.search);
  await page.getByLabel("New password").fill("yet another passphrase");
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page.getByRole("alert")).toContainText("This reset link has expired or was already used. Ask for a new one.");
  await expect(page.getByRole("heading", { level: 1, name: "Choose a new password" })).toBeVisible();
  await page.getByRole("link", { name: "Ask for a new link" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Reset your password" })).toBeVisible();
});

test("asking a reset for an address without an account shows the same answer and mails nothing", async ({ page, mail }) => {
  const { email } = newAccount();
  await page.goto("/forgot-password");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByText(`If an account uses ${email}, a link to choose a new password is on its way`)).toBeVisible();
  await expect(mail.nextMailTo(email, 1_500)).rejects.toThrow(/no mail/);
});
