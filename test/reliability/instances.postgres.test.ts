import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, databaseUrl, dropDatabase } from "../../scripts/postgres-databases.js";
import { MIGRATIONS_FOLDER } from "../../src/server/db/migrate.js";
import { freePort, type ServerProcess, STARTUP_MS, signUpOver, startServer } from "../server-process.js";

/**
 * How Ticked grows past one machine: stateless instances on one PostgreSQL, behind any load
 * balancer. Two server processes start at the same instant on an empty database and then serve
 * the same users, whichever instance a request reaches.
 */
const template = inject("testDatabase");
if (template.kind !== "postgres") throw new Error("this suite needs the postgres project");
const name = `${template.prefix}instances_${randomBytes(4).toString("hex")}`;
const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8")) as { entries: unknown[] };

// A client, not a pool: a pool's end() resolves before its connections have closed, and dropping
// the database then terminates them with an error nobody listens to.
let direct: pg.Client;
let dataDirs: string[] = [];
let instances: ServerProcess[] = [];
/** The origin users see: the load balancer in front of both instances. */
let publicUrl: string;

beforeAll(async () => {
  await createDatabase(template.adminUrl, name);
  const url = databaseUrl(template.adminUrl, name);
  direct = new pg.Client({ connectionString: url });
  await direct.connect();
  publicUrl = `http://localhost:${await freePort()}`;
  dataDirs = [0, 1].map((i) => mkdtempSync(path.join(tmpdir(), `ticked-instance-${i}-`)));
  const shared = { DATABASE_URL: url, NODE_ENV: "test", BETTER_AUTH_SECRET: "instances-test-secret-".padEnd(40, "x"), BETTER_AUTH_URL: publicUrl };
  instances = await Promise.all(dataDirs.map((dataDir) => startServer({ ...shared, DATA_DIR: dataDir })));
}, 2 * STARTUP_MS);

afterAll(async () => {
  const exitCodes = await Promise.all(instances.map((instance) => instance.stop()));
  await direct?.end();
  await dropDatabase(template.adminUrl, name);
  for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  expect(exitCodes).toEqual(instances.map(() => 0));
});

async function json(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  // biome-ignore lint/suspicious/noExplicitAny: the test reads whichever envelope fields it asserts on.
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("two instances on one database", () => {
  it("started together on an empty database, they run each migration exactly once and both serve", async () => {
    const applied = await direct.query("SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations");
    expect(applied.rows[0].n).toBe(journal.entries.length);
    for (const instance of instances) expect((await fetch(`${instance.url}/readyz`)).status).toBe(200);
  });

  it("a token minted by either instance is accepted by both, even when both mint their first at once", async () => {
    const [a, b] = instances as [ServerProcess, ServerProcess];
    const user = await signUpOver(a.url, publicUrl);
    // The first tokens ever: both instances may create a signing key; each must trust the other's.
    const tokens = await Promise.all(
      [a, b].map(async (instance) => (await json(`${instance.url}/api/auth/token`, { headers: { cookie: user.cookie } })).body.token as string),
    );
    for (const token of tokens) {
      for (const instance of [a, b]) {
        const list = await json(`${instance.url}/api/${user.userId}/tasks`, { headers: { authorization: `Bearer ${token}` } });
        expect(list.status, JSON.stringify(list.body)).toBe(200);
      }
    }
  });

  it("writes through one are read through the other, by token and by session cookie", async () => {
    const [a, b] = instances as [ServerProcess, ServerProcess];
    const user = await signUpOver(b.url, publicUrl);
    const created = await json(`${a.url}/api/${user.userId}/tasks`, {
      method: "POST",
      headers: user.headers,
      body: JSON.stringify({ title: "written via A" }),
    });
    expect(created.status).toBe(201);
    const id = created.body.data.id as string;

    const read = await json(`${b.url}/api/${user.userId}/tasks/${id}`, { headers: user.headers });
    expect(read).toMatchObject({ status: 200, body: { data: { id, title: "written via A" } } });

    // The session cookie was set by B; A knows the session (it lives in the database).
    const cookieWrite = await json(`${a.url}/api/${user.userId}/tasks/${id}`, {
      method: "PATCH",
      headers: { cookie: user.cookie, origin: publicUrl, "content-type": "application/json" },
      body: JSON.stringify({ completed: true }),
    });
    expect(cookieWrite).toMatchObject({ status: 200, body: { data: { id, completed: true } } });
    const listedOnB = await json(`${b.url}/api/${user.userId}/tasks`, { headers: { cookie: user.cookie } });
    expect(listedOnB.status).toBe(200);
    expect(listedOnB.body.data).toEqual([expect.objectContaining({ id, title: "written via A", completed: true })]);
  });
});
