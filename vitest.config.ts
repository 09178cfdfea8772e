import { defineConfig } from "vitest/config";

// The same HTTP suite runs on embedded PGlite always, and on a real PostgreSQL when
// TEST_DATABASE_URL names one (CI: postgres://postgres@127.0.0.1:5432/test).
const databaseSuites = ["src/**/*.test.ts", "test/**/*.test.ts"];
const unitSuites = ["src/**/*.unit.test.ts", "test/**/*.unit.test.ts"];
const webSuites = ["web/test/**/*.test.{ts,tsx}", "scripts/**/*.test.ts"];
// What only a database server can show (several connections racing), and PGlite cannot.
const postgresOnlySuites = ["**/*.postgres.test.ts"];

export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: "unit", include: unitSuites } },
      // The web app's component tests (jsdom), and the checks of its build and generated client (node).
      {
        extends: true,
        test: { name: "web", include: webSuites, environment: "jsdom", setupFiles: ["web/test/setup.ts"] },
      },
      {
        extends: true,
        test: {
          name: "pglite",
          include: databaseSuites,
          exclude: [...unitSuites, ...postgresOnlySuites],
          globalSetup: ["test/setup/pglite-template.ts"],
        },
      },
      ...(process.env.TEST_DATABASE_URL
        ? [
            {
              extends: true as const,
              test: {
                name: "postgres",
                include: databaseSuites,
                exclude: unitSuites,
                globalSetup: ["test/setup/postgres-template.ts"],
              },
            },
          ]
        : []),
    ],
  },
});
