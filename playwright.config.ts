import { defineConfig, devices } from "@playwright/test";

// Browser tests drive Debian's Chromium against the built app served by the real server (one server
// per worker, on a fresh database: see e2e/fixtures.ts). Playwright never downloads a browser here.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = "1";

const CI = Boolean(process.env.CI);

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results/e2e",
  globalSetup: "./e2e/support/global-setup.ts",
  // Two cores: a server process and a browser per worker.
  workers: 2,
  fullyParallel: false,
  forbidOnly: CI,
  retries: 0,
  // Generous ceilings for a machine whose two cores are shared; passing tests never wait for them.
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: "list",
  use: {
    ...devices["Desktop Chrome"],
    viewport: { width: 1280, height: 800 },
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
      ],
    },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
  },
});
