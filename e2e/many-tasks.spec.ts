import { taskApi } from "./support/api.js";
import { expect, test } from "./support/fixtures.js";

const COUNT = 5_000;
const title = (n: number) => `Task ${String(n).padStart(4, "0")}`;

test("5,000 tasks: the first page renders and Load more appends the next one in order", async ({ page, context, account, server, tasks }) => {
  test.setTimeout(120_000);
  const api = await taskApi(context.request, server.url, account.id);
  const seeding = Date.now();
  await api.createMany(Array.from({ length: COUNT }, (_, index) => title(index + 1)), 25);
  console.log(`seeded ${COUNT} tasks through the API in ${Date.now() - seeding} ms`);

  const shown = Date.now();
  await page.reload();
  await expect(tasks.checkbox(title(COUNT))).toBeVisible();
  console.log(`first page of ${COUNT} tasks shown ${Date.now() - shown} ms after reload`);
  await expect(tasks.itemsLeft(COUNT)).toBeVisible();
  const firstPage = await tasks.items.count();
  expect(firstPage).toBeGreaterThanOrEqual(20);
  expect(firstPage).toBeLessThanOrEqual(200);
  await expect(tasks.items.first()).toContainText(title(COUNT));
  await expect(tasks.items.last()).toContainText(title(COUNT - firstPage + 1));

  await tasks.loadMore.click();
  await expect(tasks.checkbox(title(COUNT - firstPage))).toBeVisible();
  const twoPages = await tasks.items.count();
  expect(twoPages).toBeGreaterThan(firstPage);
  expect(twoPages).toBeLessThanOrEqual(2 * firstPage);
  await expect(tasks.items.nth(firstPage)).toContainText(title(COUNT - firstPage));
  await expect(tasks.items.last()).toContainText(title(COUNT - twoPages + 1));
  await expect(tasks.loadMore.or(page.getByText("Loading"))).toBeVisible();

  // The page stays responsive: a toggle deep in the loaded list updates the count at once.
  await tasks.checkbox(title(COUNT - twoPages + 1)).check();
  await expect(tasks.itemsLeft(COUNT - 1)).toBeVisible();
});
