import closeWithGrace from "close-with-grace";
import { buildApp } from "./app.js";
import { checkSigningKeysReadable, SigningKeySecretError } from "./auth/signing-keys.js";
import { ConfigError, parseConfig } from "./config/config.js";
import { loadOrCreateSecret } from "./config/secret.js";
import { DataDirInUseError, DataDirPermissionsError } from "./db/data-dir-lock.js";
import { openDatabase } from "./db/database.js";
import { createLogger } from "./logger.js";

// In-flight requests get DRAIN_MS after SIGTERM; then the connections still open (a client that
// stopped sending mid-request) are cut, so the database is always closed before the process exits.
// Past EXIT_DEADLINE_MS the process exits with 1 whatever is still open.
const DRAIN_MS = 8_000;
const EXIT_DEADLINE_MS = 12_000;

/** Start-up failures the operator can fix: one line on stderr, no stack. */
function fail(message: string): never {
  process.stderr.write(`ticked: ${message}\n`);
  process.exit(1);
}

function configured<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) fail(`invalid configuration: ${error.message}`);
    throw error;
  }
}

async function main() {
  const config = configured(() => parseConfig(process.env));
  const logger = createLogger(config.logLevel);
  const secret = configured(() => config.authSecret ?? loadOrCreateSecret(config.dataDir, (message) => logger.warn(message)));

  const where = config.database.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : `the embedded database in ${config.dataDir}`;
  let database: Awaited<ReturnType<typeof openDatabase>>;
  try {
    database = await openDatabase(config.database, logger);
  } catch (error) {
    if (error instanceof DataDirInUseError || error instanceof DataDirPermissionsError) fail(error.message);
    fail(`cannot open ${where}: ${(error as Error).message}`);
  }

  try {
    await checkSigningKeysReadable(database.db, secret);
  } catch (error) {
    await database.close().catch(() => {});
    if (error instanceof SigningKeySecretError) fail(error.message);
    fail(`cannot read the JWT signing keys from ${where}: ${(error as Error).message}`);
  }

  const app = await buildApp(config, { database, secret, logger });

  // A second signal, or an error thrown during the close, exits at once with 1.
  closeWithGrace({ delay: EXIT_DEADLINE_MS, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, "shutting down after an uncaught error");
    else logger.info({ signal }, "shutting down: finishing in-flight requests");
    setTimeout(() => {
      logger.warn("requests still open after the grace period; closing their connections");
      app.server.closeAllConnections();
    }, DRAIN_MS).unref();
    await app.close();
  });

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close();
    fail(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  logger.info(`Ticked is ready at ${config.publicUrl} (API reference at ${config.publicUrl}/docs)`);
}

await main();
