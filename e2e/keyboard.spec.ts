import type { Locator, Page } from "@playwright/test";
import { signUp } from "./support/api.js";
import { expect, test } from "./support/fixtures.js";
import { TaskPage } from "./support/task-page.js";

/** Presses Tab until `target` has focus; returns how many presses it took (fails after `limit`). */
async function tabTo(page: Page, target: Locator, limit = 40): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await page.keyboard.press("Tab");
    if (await target.evaluate((element) => element === document.activeElement)) return presses;
  }
  throw new Error(`${target} not reached within ${limit} presses of Tab`);
}

/** The focused element shows a focus indicator: an outline or a box-shadow ring. */
async function expectVisibleFocus(target: Locator) {
  await expect(target).toBeFocused();
  const style = await target.evaluate((element) => {
    const computed = getComputedStyle(element);
    return { outline: computed.outlineStyle, width: parseFloat(computed.outlineWidth), shadow: computed.boxShadow };
  });
  expect((style.outline !== "none" && style.width > 0) || style.shadow !== "none", `focus indicator on ${target}: ${JSON.stringify(style)}`).toBe(
    true,
  );
}

test("keyboard only: sign in, add, toggle, edit, cancel, search and filter, with visible focus", async ({ page, request, server }) => {
  const account = await signUp(request, server.url);
  const tasks = new TaskPage(page);
  await page.goto("/sign-in");

  // Tab order on sign-in: Email, then Password, then the Sign in button.
  const email = page.getByLabel("Email", { exact: true });
  const password = page.getByLabel("Password", { exact: true });
  const signIn = page.getByRole("button", { name: "Sign in" });
  await tabTo(page, email);
  await expectVisibleFocus(email);
  await page.keyboard.type(account.email);
  await page.keyboard.press("Tab");
  await expect(password).toBeFocused();
  await page.keyboard.type(account.password);
  await page.keyboard.press("Tab");
  await expectVisibleFocus(signIn);
  await page.keyboard.press("Enter");
  await expect(tasks.heading).toBeVisible();

  // Enter adds; the field stays focused for the next one.
  await tabTo(page, tasks.newTask);
  await expectVisibleFocus(tasks.newTask);
  for (const title of ["Buy milk", "Water the plants", "Book the dentist"]) {
    await page.keyboard.type(title);
    await page.keyboard.press("Enter");
    await expect(tasks.checkbox(title)).toBeVisible();
    await expect(tasks.newTask).toBeFocused();
  }
  await expect(tasks.itemsLeft(3)).toBeVisible();

  // Space toggles a checkbox reached by Tab.
  await tabTo(page, tasks.checkbox("Water the plants"));
  await expectVisibleFocus(tasks.checkbox("Water the plants"));
  await page.keyboard.press("Space");
  await expect(tasks.checkbox("Water the plants")).toBeChecked();
  await expect(tasks.itemsLeft(2)).toBeVisible();

  // Edit: Enter on the Edit button focuses the title; Enter saves.
  await tabTo(page, tasks.editButton("Water the plants"));
  await expectVisibleFocus(tasks.editButton("Water the plants"));
  await page.keyboard.press("Enter");
  const title = page.getByLabel("Title", { exact: true });
  await expect(title).toBeFocused();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("Water the garden");
  await page.keyboard.press("Enter");
  await expect(tasks.checkbox("Water the garden")).toBeVisible();
  await expect(title).toHaveCount(0);

  // Escape cancels and restores the old text.
  await tabTo(page, tasks.editButton("Buy milk"));
  await page.keyboard.press("Enter");
  await expect(title).toBeFocused();
  await page.keyboard.type(" and bread");
  await page.keyboard.press("Escape");
  await expect(title).toHaveCount(0);
  await tasks.expectTitles(["Book the dentist", "Water the garden", "Buy milk"]);

  // `/` focuses search when not typing in a field; Escape in search clears it.
  await tabTo(page, tasks.checkbox("Buy milk"));
  await page.keyboard.press("/");
  await expectVisibleFocus(tasks.search);
  await page.keyboard.type("dentist");
  await tasks.expectTitles(["Book the dentist"]);
  await page.keyboard.press("Escape");
  await expect(tasks.search).toHaveValue("");
  await tasks.expectTitles(["Book the dentist", "Water the garden", "Buy milk"]);

  // `/` typed into the new-task field is just a character.
  await tabTo(page, tasks.newTask);
  await page.keyboard.type("a/b");
  await expect(tasks.newTask).toHaveValue("a/b");
  await expect(tasks.newTask).toBeFocused();
  await tasks.newTask.fill("");

  // The filter is reachable and operable from the keyboard.
  await tabTo(page, tasks.filterOption("Completed"));
  await expectVisibleFocus(tasks.filterOption("Completed"));
  await page.keyboard.press("Enter");
  await tasks.expectTitles(["Water the garden"]);
  await tasks.expectFilter("Completed");

  // Sign out from the keyboard too.
  await tabTo(page, tasks.signOut);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Ticked" })).toBeVisible();
});
