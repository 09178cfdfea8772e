import { test as base, expect, type Page } from "@playwright/test";
import { type Account, signUp } from "./api.js";
import { type AppServer, launchServer } from "./server.js";
import { TaskPage } from "./task-page.js";

interface WorkerFixtures {
  /** One real server per worker on a fresh database; tests use fresh accounts, so they never collide. */
  server: AppServer;
}

interface TestFixtures {
  /** A new account, signed in inside this test's browser context. */
  account: Account;
  /** The task page of `account`, loaded. */
  tasks: TaskPage;
  /** Starts a server of the test's own (for tests that kill or pause it); stopped after the test. */
  ownServer: () => Promise<AppServer>;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  server: [
    async ({}, use) => {
      const server = await launchServer();
      await use(server);
      await server.dispose();
    },
    { scope: "worker", timeout: 90_000 },
  ],
  baseURL: async ({ server }, use) => use(server.url),
  account: async ({ context, server }, use) => use(await signUp(context.request, server.url)),
  tasks: async ({ page, account }, use) => {
    const tasks = new TaskPage(page);
    await page.goto("/");
    await expect(tasks.heading).toBeVisible();
    await expect(page.getByRole("banner")).toContainText(account.name);
    await use(tasks);
  },
  ownServer: async ({}, use) => {
    const started: AppServer[] = [];
    await use(async () => {
      const server = await launchServer();
      started.push(server);
      return server;
    });
    await Promise.all(started.map((server) => server.dispose()));
  },
});

export { expect };

/** Collects every request a page makes to the task API, by method and path. */
export function recordTaskRequests(page: Page): { method: string; path: string }[] {
  const seen: { method: string; path: string }[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (/^\/api\/[^/]+\/tasks/.test(url.pathname)) seen.push({ method: request.method(), path: url.pathname + url.search });
  });
  return seen;
}
