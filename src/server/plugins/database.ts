import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Database } from "../db/database.js";

declare module "fastify" {
  interface FastifyInstance {
    database: Database;
  }
}

/** The app's one database client; the app owns it from here on and closes it last on shutdown. */
export const databasePlugin = fp(
  async (app: FastifyInstance, { database }: { database: Database }) => {
    app.decorate("database", database);
    app.addHook("onClose", () => database.close());
  },
  { name: "database" },
);
