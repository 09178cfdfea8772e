import { expect, type Locator, type Page } from "@playwright/test";

/** The task page, located by role and accessible name as /work/ui-spec.md (the UI contract) names them. */
export class TaskPage {
  readonly heading: Locator;
  readonly newTask: Locator;
  readonly addDescription: Locator;
  readonly newDescription: Locator;
  readonly addTask: Locator;
  readonly search: Locator;
  readonly filter: Locator;
  readonly sort: Locator;
  readonly list: Locator;
  readonly items: Locator;
  readonly loadMore: Locator;
  readonly markAllDone: Locator;
  readonly clearCompleted: Locator;
  readonly signOut: Locator;
  readonly alert: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole("heading", { level: 1, name: "Tasks" });
    this.newTask = page.getByLabel("New task", { exact: true });
    this.addDescription = page.getByRole("button", { name: "Add description" });
    this.newDescription = page.getByLabel("Description", { exact: true });
    this.addTask = page.getByRole("button", { name: "Add task" });
    this.search = page.getByRole("searchbox", { name: "Search tasks" });
    this.filter = page.getByRole("group", { name: "Filter" });
    this.sort = page.getByLabel("Sort", { exact: true });
    this.list = page.getByRole("list", { name: "Tasks" });
    this.items = this.list.getByRole("listitem");
    this.loadMore = page.getByRole("button", { name: "Load more" });
    this.markAllDone = page.getByRole("button", { name: "Mark all done" });
    this.clearCompleted = page.getByRole("button", { name: "Clear completed" });
    this.signOut = page.getByRole("button", { name: "Sign out" });
    this.alert = page.getByRole("alert").filter({ hasText: /\S/ });
  }

  filterOption(name: "All" | "Active" | "Completed"): Locator {
    return this.filter.getByRole("link", { name, exact: true }).or(this.filter.getByRole("button", { name, exact: true }));
  }

  /** Expects `name` to be the one filter marked current (aria-current="page" or aria-pressed="true"). */
  async expectFilter(name: "All" | "Active" | "Completed") {
    await expect(this.filter.locator('[aria-current="page"], [aria-pressed="true"]')).toHaveText([name]);
  }

  /** The list item holding the task of that exact title. */
  item(title: string): Locator {
    return this.items.filter({ has: this.page.getByRole("checkbox", { name: title, exact: true }) });
  }

  checkbox(title: string): Locator {
    return this.list.getByRole("checkbox", { name: title, exact: true });
  }

  editButton(title: string): Locator {
    return this.list.getByRole("button", { name: `Edit "${title}"`, exact: true });
  }

  deleteButton(title: string): Locator {
    return this.list.getByRole("button", { name: `Delete "${title}"`, exact: true });
  }

  /** The "N items left" count. */
  itemsLeft(count: number): Locator {
    const number = count >= 1000 ? `(${count}|${count.toLocaleString("en-US")})` : String(count);
    return this.page.getByText(new RegExp(`^\\s*${number} ${count === 1 ? "item" : "items"} left\\s*$`));
  }

  /**
   * Adds a task by typing its title and pressing Enter; waits for it to be listed and for the server
   * to have stored it (the list shows it optimistically, before the answer).
   */
  async add(title: string) {
    await this.newTask.fill(title);
    await this.stored(title, () => this.newTask.press("Enter"));
  }

  /** Adds a task with a description through "Add description" and the "Add task" button. */
  async addWithDescription(title: string, description: string) {
    await this.newTask.fill(title);
    await this.addDescription.click();
    await this.newDescription.fill(description);
    await this.stored(title, () => this.addTask.click());
  }

  private async stored(title: string, submit: () => Promise<void>) {
    const created = this.page.waitForResponse(
      (response) => response.request().method() === "POST" && /^\/api\/[^/]+\/tasks$/.test(new URL(response.url()).pathname),
    );
    await submit();
    await expect(this.checkbox(title)).toBeVisible();
    await expect(this.newTask).toHaveValue("");
    expect((await created).status()).toBe(201);
  }

  /** Expects exactly these tasks, in this order (each item's text starts with its title). */
  async expectTitles(titles: string[]) {
    await expect(this.items).toHaveText(titles.map((title) => new RegExp(`^\\s*${escapeRegExp(title)}`)));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
