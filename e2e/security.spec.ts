import { expect, test } from "./support/fixtures.js";

const ATTACK = "<img src=x onerror=alert(1)>";

test("a title written as HTML shows literally and runs nothing, in the list and in edit mode", async ({ tasks, page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await tasks.addWithDescription(ATTACK, '<script>alert("d")</script>');
  await expect(tasks.item(ATTACK)).toContainText(ATTACK);
  await expect(tasks.item(ATTACK)).toContainText('<script>alert("d")</script>');
  await expect(tasks.list.locator("img, script")).toHaveCount(0);

  await page.reload();
  await expect(tasks.item(ATTACK)).toContainText(ATTACK);
  await tasks.editButton(ATTACK).click();
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue(ATTACK);
  await page.getByLabel("Title", { exact: true }).press("Escape");
  await expect(tasks.list.locator("img, script")).toHaveCount(0);
  expect(dialogs).toEqual([]);
});

test("the app's pages carry a Content-Security-Policy that allows only the app's own assets", async ({ page }) => {
  for (const path of ["/", "/sign-in", "/some/deep/link"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(200);
    const csp = response?.headers()["content-security-policy"] ?? "";
    const directives = new Map(
      csp.split(";").map((part) => {
        const [name = "", ...values] = part.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    expect(directives.get("default-src"), `${path}: ${csp}`).toEqual(["'self'"]);
    const scripts = directives.get("script-src") ?? directives.get("default-src");
    expect(scripts, csp).not.toContain("'unsafe-inline'");
    expect(scripts, csp).not.toContain("'unsafe-eval'");
    expect(
      scripts?.every((source) => source === "'self'" || source.startsWith("'sha") || source.startsWith("'nonce-")),
      csp,
    ).toBe(true);
    expect(directives.get("frame-ancestors"), csp).toEqual(["'none'"]);
  }
});

test("index.html is never cached; hashed assets are cached for a year", async ({ page }) => {
  const assets: { url: string; cacheControl: string }[] = [];
  page.on("response", (response) => {
    if (new URL(response.url()).pathname.startsWith("/assets/")) {
      assets.push({ url: response.url(), cacheControl: response.headers()["cache-control"] ?? "" });
    }
  });
  const document = await page.goto("/sign-in");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Ticked" })).toBeVisible();
  expect(document?.headers()["cache-control"]).toMatch(/no-cache|no-store/);
  expect(assets.length).toBeGreaterThan(0);
  for (const asset of assets) expect(asset.cacheControl, asset.url).toMatch(/max-age=31536000.*immutable|immutable.*max-age=31536000/);
});

test("a cookie-authenticated write from a foreign origin is refused; the session stays in an httpOnly, SameSite=Lax cookie", async ({
  page,
  account,
  server,
}) => {
  const refused = await page.context().request.post(`${server.url}/api/${account.id}/tasks`, {
    data: { title: "forged" },
    headers: { origin: "https://evil.example" },
  });
  expect(refused.status()).toBe(403);

  const cookies = await page.context().cookies(server.url);
  const session = cookies.find((cookie) => cookie.name.endsWith("session_token"));
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax" });

  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Tasks" })).toBeVisible();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  expect(stored).not.toMatch(/eyJ|token/i);
});
