import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { signUp, taskApi } from "./support/api.js";
import { expect, test } from "./support/fixtures.js";
import { TaskPage } from "./support/task-page.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ARTIFACTS = `${ROOT}test-results/screenshots`;
// The two images the README shows; UPDATE_SCREENSHOTS=1 copies them into docs/ for committing.
const README_IMAGES = ["tasks-desktop-light.png", "tasks-phone-dark.png"];

const VIEWPORTS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

const SAMPLE = [
  { title: "Renew the passport", description: "Photo booth at the post office first" },
  { title: "Book flights to Lisbon" },
  { title: "Call the plumber about the boiler", completed: true },
  { title: "Water the plants" },
  { title: "Send the quarterly report", description: "Numbers from Maria, charts from Tom" },
];

for (const [device, viewport] of Object.entries(VIEWPORTS)) {
  for (const colorScheme of ["light", "dark"] as const) {
    test(`screenshots: ${device} ${viewport.width}x${viewport.height}, ${colorScheme}`, async ({ browser, server }) => {
      const context = await browser.newContext({ baseURL: server.url, viewport, colorScheme, reducedMotion: "reduce" });
      const page = await context.newPage();
      mkdirSync(ARTIFACTS, { recursive: true });

      await page.goto("/sign-in");
      await expect(page.getByRole("heading", { level: 1, name: "Sign in to Ticked" })).toBeVisible();
      await expectFitsWidth(page, viewport.width);
      await page.screenshot({ path: `${ARTIFACTS}/sign-in-${device}-${colorScheme}.png` });

      const account = await signUp(context.request, server.url, {
        name: "Sam Rivera",
        email: `sam-${device}-${colorScheme}-${Date.now()}@example.com`,
        password: "correct horse battery",
      });
      const api = await taskApi(context.request, server.url, account.id);
      for (const task of SAMPLE) await api.create(task);
      const tasks = new TaskPage(page);
      await page.goto("/");
      await tasks.expectTitles(SAMPLE.map((task) => task.title).reverse());
      await expect(tasks.itemsLeft(4)).toBeVisible();
      await expectFitsWidth(page, viewport.width);

      // The theme follows prefers-color-scheme: dark pages have a dark background, light ones a light one.
      const background = await page.evaluate(() => {
        const colour = (element: Element) => getComputedStyle(element).backgroundColor;
        const painted = [document.body, document.documentElement, document.querySelector("#root")].map((element) => element && colour(element));
        return painted.find((value) => value && value !== "rgba(0, 0, 0, 0)") ?? "rgba(0, 0, 0, 0)";
      });
      const [r = 0, g = 0, b = 0] = (background.match(/\d+(\.\d+)?/g) ?? []).map(Number);
      const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
      if (colorScheme === "dark") expect(luminance, background).toBeLessThan(0.3);
      else expect(luminance, background).toBeGreaterThan(0.7);

      const name = `tasks-${device}-${colorScheme}.png`;
      await page.screenshot({ path: `${ARTIFACTS}/${name}` });
      if (process.env.UPDATE_SCREENSHOTS === "1" && README_IMAGES.includes(name)) {
        mkdirSync(`${ROOT}docs/screenshots`, { recursive: true });
        copyFileSync(`${ARTIFACTS}/${name}`, `${ROOT}docs/screenshots/${name}`);
      }
      await context.close();
    });
  }
}

/** Nothing overflows sideways: no horizontal scrolling on a phone. */
async function expectFitsWidth(page: import("@playwright/test").Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

test("a 360 px phone: long titles and descriptions wrap instead of widening the page", async ({ page, account, server }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const api = await taskApi(page.context().request, server.url, account.id);
  const unbroken = "Pneumonoultramicroscopicsilicovolcanoconiosis-and-antidisestablishmentarianism";
  await api.create({ title: unbroken, description: `${"https://example.com/a/very/long/link/".repeat(4)} and more` });
  await api.create({ title: "A title of many ordinary words that has to wrap over several lines on a small phone screen" });
  const tasks = new TaskPage(page);
  await page.goto("/");
  await expect(tasks.checkbox(unbroken)).toBeVisible();
  await expect(tasks.itemsLeft(2)).toBeVisible();
  await expectFitsWidth(page, 360);
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}/tasks-phone-360-long-titles.png`, fullPage: true });
  await tasks.editButton(unbroken).click();
  await expect(page.getByLabel("Title", { exact: true })).toBeFocused();
  await expectFitsWidth(page, 360);
});
