// Writes contracts/tasks-api.yaml from the route schemas of the real app (npm run contract:export).
// test/contract.test.ts fails when the committed file and the running server disagree.

import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { buildApp } from "../src/server/app.js";
import { parseConfig } from "../src/server/config/config.js";
import { PGLITE_OPTIONS, pgliteDatabase } from "../src/server/db/database.js";
import { migratePglite } from "../src/server/db/migrate.js";
import { createLogger } from "../src/server/logger.js";

const target = fileURLToPath(new URL("../contracts/tasks-api.yaml", import.meta.url));
const secret = randomBytes(32).toString("base64url");
const config = parseConfig({ NODE_ENV: "test", BETTER_AUTH_SECRET: secret });
const client = await PGlite.create({ ...PGLITE_OPTIONS });
await migratePglite(client);
const app = await buildApp(config, { database: pgliteDatabase(client), secret, logger: createLogger("warn") });
await app.ready();
writeFileSync(target, app.swagger({ yaml: true }));
await app.close();
console.log(`wrote ${target}`);
