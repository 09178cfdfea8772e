/**
 * Creating and dropping whole PostgreSQL databases, for the tests, the benchmark, the soak and the
 * scripts: one place that knows how, so none of them leaves a database behind in its own way.
 */
import pg from "pg";
import { isRunning } from "../src/server/db/data-dir-lock.js";

/** The URL of database `name` on the server that adminUrl points at. */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** One client of adminUrl for the work: CREATE and DROP DATABASE run outside any transaction or pool. */
async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function quoted(name: string): string {
  if (!/^[\w-]+$/.test(name)) throw new Error(`a database name must be letters, digits, _ or -, got "${name}"`);
  return `"${name}"`;
}

/** Creates database `name`, empty or as a copy of `template`. */
export async function createDatabase(adminUrl: string, name: string, template?: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${quoted(name)}${template ? ` TEMPLATE ${quoted(template)}` : ""}`));
}

/** Drops database `name` if it exists, ending the sessions still on it (a killed server's, say). */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`));
}

/**
 * Drops the database that url names and creates it empty, through the same server's "postgres"
 * database: the benchmark and the soak each start from nothing.
 */
export async function recreateDatabase(url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const adminUrl = databaseUrl(url, "postgres");
  await dropDatabase(adminUrl, name);
  await createDatabase(adminUrl, name);
}

/**
 * Databases named `${prefix}<pid>_...` belong to the run of process <pid>: drops those whose run
 * was killed before it could drop them itself, and leaves a running one's alone.
 */
export async function dropAbandonedDatabases(adminUrl: string, prefix: string): Promise<void> {
  const { rows } = await withAdmin(adminUrl, (client) =>
    client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]),
  );
  for (const { datname } of rows) {
    const owner = Number(/^(\d+)_/.exec(datname.slice(prefix.length))?.[1]);
    if (!isRunning(owner)) await dropDatabase(adminUrl, datname);
  }
}
