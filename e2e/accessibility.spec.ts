import AxeBuilder from "@axe-core/playwright";
import type { Page, TestInfo } from "@playwright/test";
import { expect, test } from "./support/fixtures.js";

const IMPACTS = ["critical", "serious", "moderate", "minor"] as const;

/**
 * Runs axe-core (WCAG 2.x A and AA rules plus best practices) on the page as it is, prints the
 * violations by impact for the report, attaches the full result, and fails on serious or critical.
 */
async function audit(page: Page, testInfo: TestInfo, label: string) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const counts = Object.fromEntries(IMPACTS.map((impact) => [impact, violations.filter((v) => v.impact === impact).length]));
  console.log(
    `axe ${label}: ${IMPACTS.map((impact) => `${impact} ${counts[impact]}`).join(", ")}` +
      (violations.length ? ` (${violations.map((v) => `${v.id}:${v.impact}`).join(", ")})` : ""),
  );
  await testInfo.attach(`axe-${label}.json`, { body: JSON.stringify(violations, null, 2), contentType: "application/json" });
  const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    blocking.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((node) => node.target.join(" ")) })),
    label,
  ).toEqual([]);
}

for (const colorScheme of ["light", "dark"] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ colorScheme });

    test(`axe: sign-in and sign-up pages, with their error messages (${colorScheme})`, async ({ page }, testInfo) => {
      await page.goto("/sign-in");
      await expect(page.getByRole("heading", { level: 1, name: "Sign in to Ticked" })).toBeVisible();
      await audit(page, testInfo, `sign-in-${colorScheme}`);

      await page.goto("/sign-up");
      await expect(page.getByRole("heading", { level: 1, name: "Create your account" })).toBeVisible();
      await audit(page, testInfo, `sign-up-${colorScheme}`);
      await page.getByRole("button", { name: "Create account" }).click();
      await expect(page.getByText("Enter your name")).toBeVisible();
      await audit(page, testInfo, `sign-up-errors-${colorScheme}`);
    });

    test(`axe: task page with tasks, a completed one, a description and edit mode (${colorScheme})`, async ({ tasks, page }, testInfo) => {
      await tasks.add("Buy milk");
      await tasks.addWithDescription("Write report", "Quarterly numbers");
      await tasks.checkbox("Buy milk").check();
      await expect(tasks.itemsLeft(1)).toBeVisible();
      await audit(page, testInfo, `tasks-${colorScheme}`);

      await tasks.editButton("Write report").click();
      await expect(page.getByLabel("Title", { exact: true })).toBeFocused();
      await audit(page, testInfo, `tasks-editing-${colorScheme}`);
    });
  });
}

test("reduced motion is respected: no transitions or animations when the system asks for less motion", async ({ tasks, page }) => {
  await tasks.add("Something to show");
  const moving = () =>
    page.evaluate(
      () =>
        [...document.querySelectorAll("*")].filter((element) => {
          const style = getComputedStyle(element);
          const durations = `${style.transitionDuration},${style.animationDuration}`.split(",").map((value) => parseFloat(value));
          return style.animationName !== "none" || durations.some((seconds) => seconds > 0.01);
        }).length,
    );
  expect(await moving(), "elements that move by default").toBeGreaterThan(0);
  await page.emulateMedia({ reducedMotion: "reduce" });
  expect(await moving(), "elements that move under prefers-reduced-motion: reduce").toBe(0);
});
