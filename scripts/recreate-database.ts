import pg from "pg";

/**
 * Drops the database that url names and creates it empty, through the same server's "postgres"
 * database: the benchmark and the soak each start from nothing.
 */
export async function recreateDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (!/^[\w-]+$/.test(name)) throw new Error(`DATABASE_URL must name a database (letters, digits, _ or -), got "${name}"`);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}
