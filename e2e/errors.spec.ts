import { newAccount, signUp } from "./support/api.js";
import { expect, recordTaskRequests, test } from "./support/fixtures.js";
import { TaskPage } from "./support/task-page.js";

test.describe("sign-up and sign-in", () => {
  test("sign-up shows the password rule before submit and each field's message on submit, sending nothing", async ({ page }) => {
    const sent: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("/api/auth/sign-up")) sent.push(request.url());
    });
    await page.goto("/sign-up");
    await expect(page.getByText("At least 8 characters")).toBeVisible();
    await page.getByRole("button", { name: "Create account" }).click();

    const name = page.getByLabel("Name", { exact: true });
    const email = page.getByLabel("Email", { exact: true });
    const password = page.getByLabel("Password", { exact: true });
    await expect(name).toHaveAccessibleDescription(/Enter your name/);
    await expect(email).toHaveAccessibleDescription(/Enter a valid email address/);
    await expect(password).toHaveAccessibleDescription(/Password must be at least 8 characters/);

    await name.fill("Ada");
    await email.fill("not-an-email");
    await password.fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(email).toHaveAccessibleDescription(/Enter a valid email address/);
    await expect(password).toHaveAccessibleDescription(/Password must be at least 8 characters/);
    await expect(name).not.toHaveAccessibleDescription(/Enter your name/);
    expect(sent).toEqual([]);
    await expect(page).toHaveURL(/\/sign-up$/);
  });

  test("an email already used is refused plainly, and the form keeps what was typed", async ({ page, request, server }) => {
    const taken = await signUp(request, server.url);
    await page.goto("/sign-up");
    await page.getByLabel("Name", { exact: true }).fill("Someone Else");
    await page.getByLabel("Email", { exact: true }).fill(taken.email);
    await page.getByLabel("Password", { exact: true }).fill("another good password");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "An account with this email already exists" })).toBeVisible();
    await expect(page.getByLabel("Email", { exact: true })).toHaveValue(taken.email);
    await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Someone Else");
  });

  test("a wrong password is refused plainly; the right one signs in", async ({ page, request, server }) => {
    const account = await signUp(request, server.url);
    await page.goto("/sign-in");
    await expect(page.getByRole("heading", { level: 1, name: "Sign in to Ticked" })).toBeVisible();
    await page.getByLabel("Email", { exact: true }).fill(account.email);
    await page.getByLabel("Password", { exact: true }).fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Wrong email or password" })).toBeVisible();
    await expect(page.getByLabel("Email", { exact: true })).toHaveValue(account.email);

    await page.getByLabel("Password", { exact: true }).fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(new TaskPage(page).heading).toBeVisible();
  });
});

test.describe("task page", () => {
  test("an empty title is refused with a message and nothing is sent, when adding and when editing", async ({ tasks, page }) => {
    await tasks.add("Keep me");
    const requests = recordTaskRequests(page);

    await tasks.newTask.fill("   ");
    await tasks.newTask.press("Enter");
    await expect(tasks.newTask).toHaveAccessibleDescription(/Title must not be empty/);
    await expect(tasks.newTask).toHaveValue("   ");
    await tasks.expectTitles(["Keep me"]);

    await tasks.editButton("Keep me").click();
    const title = page.getByLabel("Title", { exact: true });
    await title.fill("");
    await title.press("Enter");
    await expect(title).toHaveAccessibleDescription(/Title must not be empty/);
    await expect(tasks.list.getByText("Title must not be empty")).toBeVisible();
    await title.press("Escape");
    await expect(title).toHaveCount(0);
    await tasks.expectTitles(["Keep me"]);
    expect(requests.filter((request) => request.method !== "GET")).toEqual([]);
  });

  test("a server that stops answering: the message is shown and the typed text kept; once back, the same Enter works", async ({
    page,
    ownServer,
  }) => {
    test.setTimeout(180_000); // two server starts
    const server = await ownServer();
    await signUp(page.context().request, server.url);
    const tasks = new TaskPage(page);
    await page.goto(server.url);
    await tasks.add("Written before the outage");

    await server.stop("SIGKILL");
    await tasks.newTask.fill("Typed while the server was down");
    await tasks.newTask.press("Enter");
    await expect(tasks.alert.filter({ hasText: "Can't reach the server" })).toBeVisible();
    await expect(tasks.newTask).toHaveValue("Typed while the server was down");
    await expect(tasks.checkbox("Typed while the server was down")).toHaveCount(0);

    await server.start();
    await tasks.newTask.press("Enter");
    await expect(tasks.checkbox("Typed while the server was down")).toBeVisible();
    await expect(tasks.newTask).toHaveValue("");
    await page.reload();
    await tasks.expectTitles(["Typed while the server was down", "Written before the outage"]);
  });

  test("an edit that fails while a second edit is under way is still reported, and its editor reopens with what was typed", async ({
    tasks,
    page,
  }) => {
    await tasks.add("Alpha");
    await tasks.add("Beta");
    // The first save is held until the second is sent, then its connection drops (the task stays, so
    // its editor has something to reopen on); the second reaches the server.
    let releaseFirst = () => {};
    const secondSent = new Promise<void>((resolve) => (releaseFirst = resolve));
    let saves = 0;
    await page.route(/\/api\/[^/]+\/tasks\/[^/]+$/, async (route) => {
      if (route.request().method() !== "PATCH") return route.continue();
      saves += 1;
      if (saves > 1) {
        releaseFirst();
        return route.continue();
      }
      await secondSent;
      await route.abort("connectionreset");
    });

    await tasks.editButton("Alpha").click();
    await page.getByLabel("Title", { exact: true }).fill("Alpha, typed again");
    await page.getByLabel("Title", { exact: true }).press("Enter");
    await tasks.editButton("Beta").click();
    await page.getByLabel("Title", { exact: true }).fill("Beta, renamed");
    await page.getByLabel("Title", { exact: true }).press("Enter");

    await expect(tasks.alert.filter({ hasText: "Can't reach the server" })).toBeVisible();
    await expect(page.getByLabel("Title", { exact: true })).toHaveValue("Alpha, typed again");
    await page.getByLabel("Title", { exact: true }).press("Escape");
    await tasks.expectTitles(["Beta, renamed", "Alpha"]);
    await page.reload();
    await tasks.expectTitles(["Beta, renamed", "Alpha"]);
  });

  test("a server that hangs (paused process) ends in the same message, not an endless spinner", async ({ page, ownServer }) => {
    test.setTimeout(120_000);
    const server = await ownServer();
    await signUp(page.context().request, server.url);
    const tasks = new TaskPage(page);
    await page.goto(server.url);
    await expect(tasks.heading).toBeVisible();

    const pid = server.pid();
    process.kill(pid, "SIGSTOP");
    try {
      await tasks.newTask.fill("Typed while the server hung");
      await tasks.newTask.press("Enter");
      await expect(tasks.alert.filter({ hasText: "Can't reach the server" })).toBeVisible({ timeout: 20_000 });
      await expect(tasks.newTask).toHaveValue("Typed while the server hung");
    } finally {
      process.kill(pid, "SIGCONT");
    }
  });

  test("an expired session sends the person to sign-in with a message, then back to where they were", async ({
    page,
    account,
    playwright,
    server,
  }) => {
    const tasks = new TaskPage(page);
    await page.goto("/?status=pending&q=report");
    await expect(tasks.heading).toBeVisible();
    await expect(tasks.search).toHaveValue("report");

    // The same person signs in elsewhere and signs out everywhere.
    const elsewhere = await playwright.request.newContext({ baseURL: server.url, extraHTTPHeaders: { origin: server.url } });
    expect((await elsewhere.post("/api/auth/sign-in/email", { data: { email: account.email, password: account.password } })).ok()).toBe(true);
    expect((await elsewhere.post("/api/auth/revoke-sessions", { data: {} })).ok()).toBe(true);
    await elsewhere.dispose();

    await tasks.newTask.fill("Quarterly report");
    await tasks.newTask.press("Enter");
    await expect(page).toHaveURL(/\/sign-in\?next=/);
    await expect(page.getByText("Your session has expired. Please sign in again.")).toBeVisible();
    await page.getByLabel("Email", { exact: true }).fill(account.email);
    await page.getByLabel("Password", { exact: true }).fill(account.password);
    await page.getByRole("button", { name: "Sign in" }).click();

    await expect(tasks.heading).toBeVisible();
    await expect(page).toHaveURL(/\/\?(?=.*status=pending)(?=.*q=report)/);
    await expect(tasks.search).toHaveValue("report");
    await tasks.expectFilter("Active");
  });
});

test("an account made in the form works at once: the session survives a reload", async ({ page }) => {
  const person = newAccount("Reload Tester");
  await page.goto("/sign-up");
  await page.getByLabel("Name", { exact: true }).fill(person.name);
  await page.getByLabel("Email", { exact: true }).fill(person.email);
  await page.getByLabel("Password", { exact: true }).fill(person.password);
  await page.getByLabel("Password", { exact: true }).press("Enter");
  const tasks = new TaskPage(page);
  await expect(tasks.heading).toBeVisible();
  await page.reload();
  await expect(tasks.heading).toBeVisible();
  await expect(page.getByRole("banner")).toContainText(person.name);
});
