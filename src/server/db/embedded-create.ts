/**
 * `node embedded-create.js DATA_DIR`: creates the embedded database in DATA_DIR and migrates it,
 * then exits. The server runs it as a child process when its data directory is empty (database.ts);
 * the server holds the directory's lock meanwhile.
 */
import { PGlite } from "@electric-sql/pglite";
import { PGLITE_OPTIONS } from "./database.js";
import { migratePglite } from "./migrate.js";

async function create(dataDir: string) {
  const client = await PGlite.create(dataDir, PGLITE_OPTIONS);
  try {
    await migratePglite(client);
  } finally {
    await client.close();
  }
}

// The server reports stderr as the reason: one line, no stack.
create(process.argv[2]!).catch((error: unknown) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
});
