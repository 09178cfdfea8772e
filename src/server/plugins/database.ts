import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Database } from "../db/database.js";
import { loggableError } from "../db/errors.js";

declare module "fastify" {
  interface FastifyInstance {
    database: Database;
  }
}

/** How often the embedded database is checked for a vacuum that is due (database.ts). */
const VACUUM_CHECK_MS = 10_000;

/**
 * Runs the embedded database's vacuum check every everyMs, one at a time; stopping waits for a run
 * in progress. A failed run is logged and the next check tries again.
 */
export function scheduleVacuum(database: Database, everyMs: number, log: FastifyBaseLogger): () => Promise<void> {
  const { vacuumIfDue } = database;
  if (!vacuumIfDue) return async () => {};
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= vacuumIfDue()
      .then(
        (vacuumed) => {
          if (vacuumed) log.debug("embedded database vacuumed");
        },
        (error: unknown) => log.error({ error: loggableError(error) }, "vacuuming the embedded database failed"),
      )
      .finally(() => (running = undefined));
  }, everyMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** The app's one database client; the app owns it from here on and closes it last on shutdown. */
export const databasePlugin = fp(
  async (app: FastifyInstance, { database }: { database: Database }) => {
    app.decorate("database", database);
    const stopVacuuming = scheduleVacuum(database, VACUUM_CHECK_MS, app.log);
    app.addHook("onClose", async () => {
      await stopVacuuming();
      await database.close();
    });
  },
  { name: "database" },
);
