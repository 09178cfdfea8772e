import type { Route } from "@playwright/test";
import { taskApi } from "./support/api.js";
import { expect, recordTaskRequests, test } from "./support/fixtures.js";

const writes = (requests: { method: string; path: string }[], since = 0) => requests.slice(since).filter((request) => request.method !== "GET");

test("Mark all done, Mark all not done and Clear completed each take one request", async ({ page, context, account, server, tasks }) => {
  const api = await taskApi(context.request, server.url, account.id);
  await api.createMany(["One", "Two", "Three", "Four"]);
  await page.reload();
  await tasks.expectTitles(["Four", "Three", "Two", "One"]);
  await expect(tasks.itemsLeft(4)).toBeVisible();
  await expect(tasks.clearCompleted).toBeDisabled();

  const requests = recordTaskRequests(page);
  await tasks.markAllDone.click();
  for (const title of ["One", "Two", "Three", "Four"]) await expect(tasks.checkbox(title)).toBeChecked();
  await expect(tasks.itemsLeft(0)).toBeVisible();
  await expect(page.getByRole("button", { name: "Mark all not done" })).toBeVisible();
  await expect.poll(async () => (await api.list()).every((task) => task.completed)).toBe(true);
  expect(writes(requests)).toHaveLength(1);

  let since = requests.length;
  await page.getByRole("button", { name: "Mark all not done" }).click();
  for (const title of ["One", "Two", "Three", "Four"]) await expect(tasks.checkbox(title)).not.toBeChecked();
  await expect(tasks.itemsLeft(4)).toBeVisible();
  await expect.poll(async () => (await api.list()).some((task) => task.completed)).toBe(false);
  expect(writes(requests, since)).toHaveLength(1);

  await tasks.checkbox("One").check();
  await tasks.checkbox("Three").check();
  await expect(tasks.itemsLeft(2)).toBeVisible();
  await expect.poll(async () => (await api.list()).filter((task) => task.completed).length).toBe(2);

  since = requests.length;
  await tasks.clearCompleted.click();
  await tasks.expectTitles(["Four", "Two"]);
  await expect(page.getByRole("status").filter({ hasText: "2 completed tasks cleared" })).toBeVisible();
  await expect(tasks.clearCompleted).toBeDisabled();
  await expect.poll(async () => (await api.list()).map((task) => task.title)).toEqual(["Four", "Two"]);
  expect(writes(requests, since).map((request) => request.method)).toEqual(["DELETE"]);
});

/** Answers the next write to the task API with this error envelope instead of passing it on. */
async function refuseNextWrite(page: import("@playwright/test").Page, status: number, message: string) {
  let refused = false;
  await page.route(/\/api\/[^/]+\/tasks/, async (route: Route) => {
    if (refused || route.request().method() === "GET") return route.fallback();
    refused = true;
    const code = status === 503 ? "SERVICE_UNAVAILABLE" : status === 404 ? "NOT_FOUND" : "VALIDATION_ERROR";
    await route.fulfill({ status, json: { success: false, error: { code, message } } });
  });
}

test("a refused toggle, edit, delete and bulk change are rolled back with the server's message", async ({
  page,
  context,
  account,
  server,
  tasks,
}) => {
  const api = await taskApi(context.request, server.url, account.id);
  await api.createMany(["Alpha", "Beta"]);
  await page.reload();
  await tasks.expectTitles(["Beta", "Alpha"]);

  await refuseNextWrite(page, 422, "Refused toggle for the test");
  await tasks.checkbox("Alpha").click();
  await expect(tasks.alert.filter({ hasText: "Refused toggle for the test" })).toBeVisible();
  await expect(tasks.checkbox("Alpha")).not.toBeChecked();
  await expect(tasks.itemsLeft(2)).toBeVisible();

  await page.unrouteAll();
  await refuseNextWrite(page, 404, "task not found");
  await tasks.deleteButton("Beta").click();
  await expect(tasks.alert.filter({ hasText: "task not found" })).toBeVisible();
  await tasks.expectTitles(["Beta", "Alpha"]);

  await page.unrouteAll();
  await refuseNextWrite(page, 422, "Refused edit for the test");
  await tasks.editButton("Alpha").click();
  await page.getByLabel("Title", { exact: true }).fill("Alpha renamed");
  await page.getByLabel("Title", { exact: true }).press("Enter");
  await expect(tasks.alert.filter({ hasText: "Refused edit for the test" })).toBeVisible();
  // The old title is back in the list, or the edit stays open with the typed text: nothing is lost.
  await expect(tasks.checkbox("Alpha").or(page.getByLabel("Title", { exact: true }))).toBeVisible();
  if (await page.getByLabel("Title", { exact: true }).isVisible()) {
    await expect(page.getByLabel("Title", { exact: true })).toHaveValue("Alpha renamed");
    await page.getByLabel("Title", { exact: true }).press("Escape");
  }
  await tasks.expectTitles(["Beta", "Alpha"]);

  await page.unrouteAll();
  await refuseNextWrite(page, 503, "the database is unavailable");
  await tasks.markAllDone.click();
  await expect(tasks.alert.filter({ hasText: "Can't reach the server" })).toBeVisible();
  await expect(tasks.checkbox("Alpha")).not.toBeChecked();
  await expect(tasks.checkbox("Beta")).not.toBeChecked();
  await expect(tasks.itemsLeft(2)).toBeVisible();

  await page.unrouteAll();
  expect((await api.list()).map(({ title, completed }) => ({ title, completed }))).toEqual([
    { title: "Beta", completed: false },
    { title: "Alpha", completed: false },
  ]);
});

test("changes show at once, before the server has answered (optimistic updates)", async ({ page, context, account, server, tasks }) => {
  const api = await taskApi(context.request, server.url, account.id);
  await api.createMany(["Existing"]);
  await page.reload();
  await tasks.expectTitles(["Existing"]);

  // Hold every write until the page has already shown it.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let writesHeld = 0;
  await page.route(/\/api\/[^/]+\/tasks/, async (route) => {
    if (route.request().method() === "GET") return route.fallback();
    writesHeld++;
    await held;
    await route.fallback();
  });

  await tasks.newTask.fill("Shown before stored");
  await tasks.newTask.press("Enter");
  await expect(tasks.checkbox("Shown before stored")).toBeVisible();
  await tasks.checkbox("Existing").click();
  await expect(tasks.checkbox("Existing")).toBeChecked();
  await expect.poll(() => writesHeld).toBe(2);
  expect((await api.list()).map(({ title, completed }) => ({ title, completed }))).toEqual([{ title: "Existing", completed: false }]);

  release();
  await expect
    .poll(async () => (await api.list()).map(({ title, completed }) => ({ title, completed })))
    .toEqual([
      { title: "Shown before stored", completed: false },
      { title: "Existing", completed: true },
    ]);
  await expect(tasks.itemsLeft(1)).toBeVisible();
});

test("a change still in flight is not undone by the refetch that follows an earlier one", async ({ page, context, account, server, tasks }) => {
  const api = await taskApi(context.request, server.url, account.id);
  await api.createMany(["First", "Second"]);
  await page.reload();
  await tasks.expectTitles(["Second", "First"]);

  // Hold the second toggle at the browser; let the first one through only once the second is on its
  // way, so the first settles while the second is pending (the moment a refetch would do harm).
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let secondSent!: () => void;
  const second = new Promise<void>((resolve) => (secondSent = resolve));
  let toggles = 0;
  let holding = false;
  await page.route(/\/api\/[^/]+\/tasks\/[^/]+/, async (route) => {
    if (route.request().method() === "GET") return route.fallback();
    if (++toggles === 1) {
      await second;
      return route.fallback();
    }
    holding = true;
    secondSent();
    await held;
    await route.fallback();
  });
  // A list read while the second change is held would answer the server's state from before it.
  const listReadsWhileHeld: string[] = [];
  page.on("request", (request) => {
    if (holding && request.method() === "GET" && /\/api\/[^/]+\/tasks\?/.test(request.url())) listReadsWhileHeld.push(request.url());
  });
  const firstStored = page.waitForResponse((response) => response.request().method() === "PATCH");
  await tasks.checkbox("First").click();
  await tasks.checkbox("Second").click();
  await firstStored;
  // What is asserted is that nothing happens: no list read while the second change is held (its answer
  // would untick "Second"), so there is no event to wait for; half a second is ample for a refetch.
  await page.waitForTimeout(500);
  expect(listReadsWhileHeld).toEqual([]);
  await expect(tasks.checkbox("Second")).toBeChecked();
  await expect(tasks.checkbox("First")).toBeChecked();
  await expect(tasks.itemsLeft(0)).toBeVisible();

  const refetched = page.waitForResponse((response) => response.request().method() === "GET" && /\/api\/[^/]+\/tasks\?/.test(response.url()));
  release();
  await refetched;
  await expect.poll(async () => (await api.list()).every((task) => task.completed)).toBe(true);
  await expect(tasks.checkbox("Second")).toBeChecked();
});
