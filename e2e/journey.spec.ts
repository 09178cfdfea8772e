import { newAccount, signedInUserId, signUp, taskApi } from "./support/api.js";
import { expect, recordTaskRequests, test } from "./support/fixtures.js";
import { TaskPage } from "./support/task-page.js";

test("a new person signs up, manages tasks, reloads, signs out and signs in again", async ({ page, server }) => {
  const person = newAccount("Grace Hopper");
  const tasks = new TaskPage(page);

  // A visitor is sent to sign-in, and from there to sign-up.
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$|\/sign-in\?next=\/$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Ticked" })).toBeVisible();
  await page.getByRole("link", { name: "Create an account" }).click();
  await expect(page).toHaveURL(/\/sign-up$/);
  await expect(page.getByRole("heading", { level: 1, name: "Create your account" })).toBeVisible();
  await page.getByLabel("Name", { exact: true }).fill(person.name);
  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Create account" }).click();

  await expect(tasks.heading).toBeVisible();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("banner")).toContainText(person.name);
  await expect(page.getByText("No tasks yet. Add one above.")).toBeVisible();
  await expect(tasks.itemsLeft(0)).toBeVisible();

  // Three tasks, one with a description; newest first.
  await tasks.add("Buy milk");
  await tasks.addWithDescription("Write report", "Quarterly numbers");
  await tasks.add("Call the plumber");
  await tasks.expectTitles(["Call the plumber", "Write report", "Buy milk"]);
  await expect(tasks.item("Write report")).toContainText("Quarterly numbers");
  await expect(tasks.itemsLeft(3)).toBeVisible();

  // Complete one.
  await tasks.checkbox("Buy milk").check();
  await expect(tasks.checkbox("Buy milk")).toBeChecked();
  await expect(tasks.itemsLeft(2)).toBeVisible();

  // Filter: Active, Completed, All; the filter lives in the URL.
  await tasks.filterOption("Active").click();
  await expect(page).toHaveURL(/[?&]status=pending/);
  await tasks.expectTitles(["Call the plumber", "Write report"]);
  await tasks.expectFilter("Active");
  await tasks.filterOption("Completed").click();
  await expect(page).toHaveURL(/[?&]status=completed/);
  await tasks.expectTitles(["Buy milk"]);
  await expect(tasks.itemsLeft(2)).toBeVisible();
  // Back returns to the previous filter.
  await page.goBack();
  await expect(page).toHaveURL(/[?&]status=pending/);
  await tasks.expectTitles(["Call the plumber", "Write report"]);
  await tasks.filterOption("All").click();
  await expect(page).not.toHaveURL(/status=/);
  await tasks.expectTitles(["Call the plumber", "Write report", "Buy milk"]);

  // Search as one types (title and description), debounced: not one request per keystroke.
  const requests = recordTaskRequests(page);
  await tasks.search.pressSequentially("quarterly");
  await expect(page).toHaveURL(/[?&]q=quarterly/);
  await tasks.expectTitles(["Write report"]);
  const searches = requests.filter((request) => request.method === "GET" && /[?&]q=/.test(request.path));
  expect(searches.length).toBeGreaterThan(0);
  expect(searches.length).toBeLessThan("quarterly".length);
  await tasks.search.fill("nothing like this");
  await expect(page.getByText("No matching tasks.")).toBeVisible();
  await tasks.search.fill("");
  await expect(page).not.toHaveURL(/[?&]q=/);
  await tasks.expectTitles(["Call the plumber", "Write report", "Buy milk"]);

  // Edit title and description in place.
  await tasks.editButton("Call the plumber").click();
  const title = page.getByLabel("Title", { exact: true });
  await expect(title).toBeFocused();
  await expect(title).toHaveValue("Call the plumber");
  await title.fill("Call the electrician");
  await tasks.list.getByLabel("Description", { exact: true }).fill("Before Friday");
  await title.press("Enter");
  await expect(tasks.checkbox("Call the electrician")).toBeVisible();
  await expect(tasks.item("Call the electrician")).toContainText("Before Friday");
  await expect(title).toHaveCount(0);

  // Delete.
  await tasks.deleteButton("Write report").click();
  await expect(tasks.checkbox("Write report")).toHaveCount(0);
  await tasks.expectTitles(["Call the electrician", "Buy milk"]);
  await expect(tasks.itemsLeft(1)).toBeVisible();

  // Filter, search and sort in the URL survive a reload, and so does everything done.
  await expect(tasks.sort.locator("option")).toHaveText(["Newest first", "Oldest first", "Recently updated", "Title A–Z", "Title Z–A"]);
  await tasks.filterOption("Active").click();
  await tasks.search.fill("electrician");
  await tasks.sort.selectOption({ label: "Oldest first" });
  await expect(page).toHaveURL(/status=pending/);
  await expect(page).toHaveURL(/q=electrician/);
  await expect(page).toHaveURL(/sort=created_at/);
  await page.reload();
  await expect(tasks.search).toHaveValue("electrician");
  await expect(tasks.sort.locator("option:checked")).toHaveText("Oldest first");
  await tasks.expectFilter("Active");
  await tasks.expectTitles(["Call the electrician"]);
  await tasks.filterOption("All").click();
  await tasks.search.fill("");
  await tasks.expectTitles(["Buy milk", "Call the electrician"]);
  await expect(tasks.checkbox("Buy milk")).toBeChecked();
  await expect(tasks.checkbox("Call the electrician")).not.toBeChecked();

  // The server holds exactly what the page shows.
  const api = await taskApi(page.context().request, server.url, await signedInUserId(page.context().request, server.url));
  expect(await api.list()).toMatchObject([
    { title: "Call the electrician", description: "Before Friday", completed: false },
    { title: "Buy milk", description: null, completed: true },
  ]);

  // A shared link opens with its filter and search.
  const shared = new TaskPage(await page.context().newPage());
  await shared.page.goto("/?status=completed&q=milk");
  await shared.expectFilter("Completed");
  await expect(shared.search).toHaveValue("milk");
  await shared.expectTitles(["Buy milk"]);
  await shared.page.close();

  // Sign out; the task page is closed to the visitor; sign in again and find everything.
  await tasks.signOut.click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in to Ticked" })).toBeVisible();
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(tasks.heading).toBeVisible();
  await tasks.expectTitles(["Call the electrician", "Buy milk"]);
  await expect(tasks.itemsLeft(1)).toBeVisible();
});

test("two people in two browsers never see each other's tasks", async ({ browser, server }) => {
  const people = await Promise.all(
    ["Ada", "Brian"].map(async (name) => {
      const context = await browser.newContext({ baseURL: server.url });
      const account = await signUp(context.request, server.url, newAccount(name));
      const page = await context.newPage();
      await page.goto("/");
      return { context, account, tasks: new TaskPage(page) };
    }),
  );
  const [ada, brian] = people as [(typeof people)[0], (typeof people)[0]];

  await ada.tasks.add("Ada's secret plan");
  await brian.tasks.add("Brian's shopping list");
  await brian.tasks.add("Brian's second task");

  for (const { tasks } of people) await tasks.page.reload();
  await ada.tasks.expectTitles(["Ada's secret plan"]);
  await expect(ada.tasks.itemsLeft(1)).toBeVisible();
  await brian.tasks.expectTitles(["Brian's second task", "Brian's shopping list"]);
  await expect(brian.tasks.itemsLeft(2)).toBeVisible();
  await brian.tasks.search.fill("secret");
  await expect(brian.tasks.page.getByText("No matching tasks.")).toBeVisible();

  // Brian's session cannot read Ada's list through the API either.
  const peek = await brian.context.request.get(`${server.url}/api/${ada.account.id}/tasks`);
  expect(peek.status()).toBe(403);
  await Promise.all(people.map(({ context }) => context.close()));
});
