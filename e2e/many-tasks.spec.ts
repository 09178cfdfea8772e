import { expect, test } from "./support/fixtures.js";
import { TaskPage } from "./support/task-page.js";

const COUNT = 5_000;
const title = (n: number) => `Task ${String(n).padStart(4, "0")}`;

test("5,000 tasks: the first page renders and Load more appends the next one in order", async ({ page, account, server }) => {
  test.setTimeout(120_000); // on PGlite the seeding restarts the server
  // Through the API this took 50 s on PGlite on a busy machine; in SQL it is one statement, one
  // second apart so that "newest first" is Task 5000, 4999, ...
  await server.sql(
    `INSERT INTO task (user_id, title, created_at, updated_at)
     SELECT $1, 'Task ' || lpad(n::text, 4, '0'), now() - make_interval(secs => $2 - n), now() - make_interval(secs => $2 - n)
     FROM generate_series(1, $2::int) AS n`,
    [account.id, COUNT],
  );

  const tasks = new TaskPage(page);
  const shown = Date.now();
  await page.goto("/");
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
  await expect(tasks.loadMore).toBeVisible();

  // The page stays responsive: a toggle deep in the loaded list updates the count at once.
  await tasks.checkbox(title(COUNT - twoPages + 1)).check();
  await expect(tasks.itemsLeft(COUNT - 1)).toBeVisible();
});
