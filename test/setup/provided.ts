/** What a project's global setup hands its test files: where the migrated template database is. */
export type TestDatabaseTemplate =
  | { kind: "pglite"; dumpFile: string }
  | { kind: "postgres"; adminUrl: string; template: string /** Names of this run's databases start so. */; prefix: string };

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabaseTemplate;
  }
}
