// npm run bench:scale: one user with 1,000,000 tasks (seeded by SQL) against one with 100, on the
// production server and PostgreSQL: the first page, a page 500,000 rows deep through the cursor, a
// filtered page and searches, each at one connection; prints the latencies, their ratio (goal: within
// 2x) and the EXPLAIN (ANALYZE, BUFFERS) plans of the big user's queries.

import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { PgDialect } from "drizzle-orm/pg-core";
import pg from "pg";
import { recreateDatabase } from "../scripts/postgres-databases.js";
import { searchableText, task } from "../src/server/db/schema/index.js";
import { expectOk } from "./http.js";
import { median } from "./report.js";
import { ROOT, startServer } from "./server.js";
import { bearerHeader, signUp } from "./targets.js";

const env = process.env;
const databaseUrl = env.BENCH_SCALE_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/ticked_bench_scale";
const BIG = Number(env.BENCH_SCALE_TASKS ?? 1_000_000);
const SMALL = 100;
const DEEP_ROWS = Number(env.BENCH_SCALE_DEEP ?? 500_000); // page 10,001 at 50 per page
const WALK_PAGE = 200;
const durationSeconds = Number(env.BENCH_DURATION ?? 5);
const log = (line: string) => process.stderr.write(`[scale] ${line}\n`);

// Titles: "Task <word> <word> <8 hex>", a quarter with a description; a third completed. "task"
// matches every row, a word about one in six, a hex tail about one row.
const WORDS = "ARRAY['milk','report','car','dentist','invoice','garden','slides','tickets','taxes','email','roof','notes']";
const seedSql = (count: number) => `
  INSERT INTO task (user_id, title, description, completed, created_at, updated_at)
  SELECT $1::text, 'Task ' || (${WORDS})[1 + g % 12] || ' ' || (${WORDS})[1 + g / 12 % 12] || ' ' || left(md5($1::text || g), 8),
         CASE WHEN g % 4 = 0 THEN 'Note about ' || (${WORDS})[1 + g / 7 % 12] || ' ' || md5(g || $1::text) END,
         g % 3 = 0,
         timestamptz '2024-01-01 00:00Z' + g * interval '1 second',
         timestamptz '2024-01-01 00:00Z' + g * interval '1 second'
  FROM generate_series(1, ${count}) g`;

interface Probe {
  label: string;
  query: string;
}

async function latency(url: string, authorization: string): Promise<{ p50: number; mean: number; p99: number; errors: number }> {
  const result = await autocannon({ url, connections: 1, duration: durationSeconds, headers: { authorization } });
  // autocannon records whole milliseconds, too coarse for sub-millisecond answers; over one
  // connection, one request after another, the mean is the run's duration per request.
  const mean = (result.duration * 1000) / result.requests.total;
  return { p50: result.latency.p50, mean, p99: result.latency.p99, errors: result.non2xx + result.errors + result.timeouts };
}

/** Follows next_cursor (up to) WALK_PAGE rows at a time until `rows` rows are behind; returns that cursor. */
async function cursorAfter(base: string, authorization: string, rows: number): Promise<string> {
  const size = Math.min(WALK_PAGE, rows);
  let cursor = "";
  for (let seen = 0; seen < rows; seen += size) {
    const page = await expectOk(`${base}?limit=${size}${cursor ? `&cursor=${cursor}` : ""}`, { headers: { authorization } });
    const next = (JSON.parse(page.body) as { meta: { next_cursor: string | null } }).meta.next_cursor;
    if (!next) throw new Error(`the list ended before ${rows} rows`);
    cursor = encodeURIComponent(next);
  }
  return cursor;
}

const secret = randomBytes(32).toString("base64");
log(`PostgreSQL ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname} (reset)`);
await recreateDatabase(databaseUrl);
const server = await startServer({ NODE_ENV: "production", BETTER_AUTH_SECRET: secret, RATE_LIMIT_PER_MINUTE: "1000000", DATABASE_URL: databaseUrl });
const results: Record<string, unknown>[] = [];
const plans: Record<string, string> = {};
try {
  const big = await signUp(server.url, "big@bench.example", "127.0.0.2");
  const small = await signUp(server.url, "small@bench.example", "127.0.0.3");
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  log(`seeding ${BIG.toLocaleString("en-US")} tasks by SQL`);
  const seeded = performance.now();
  // Building the indexes once after the insert is many times faster than updating them row by row
  // (the trigram GIN ones above all); they are recreated exactly as the migrations made them.
  const { rows: indexes } = await db.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'task' AND indexname <> 'task_pkey'`,
  );
  for (const { indexname } of indexes) await db.query(`DROP INDEX "${indexname}"`);
  await db.query(seedSql(BIG), [big.id]);
  await db.query(seedSql(SMALL), [small.id]);
  await db.query("SET maintenance_work_mem = '256MB'");
  for (const { indexdef } of indexes) await db.query(indexdef);
  await db.query("VACUUM ANALYZE task");
  log(`seeded in ${((performance.now() - seeded) / 1000).toFixed(0)} s`);

  const users = [
    { name: "1,000,000 tasks", ...big, authorization: await bearerHeader(server.url, big.cookie) },
    { name: "100 tasks", ...small, authorization: await bearerHeader(server.url, small.cookie) },
  ];
  const rareTerm = (await db.query<{ t: string }>(`SELECT right(title, 8) AS t FROM task WHERE user_id = $1 LIMIT 1 OFFSET 4321`, [big.id])).rows[0]!
    .t;
  const walked = performance.now();
  const deepCursor = await cursorAfter(`${server.url}/api/${big.id}/tasks`, users[0]!.authorization, Math.min(DEEP_ROWS, BIG - WALK_PAGE));
  log(`walked ${DEEP_ROWS.toLocaleString("en-US")} rows by cursor in ${((performance.now() - walked) / 1000).toFixed(0)} s`);
  const smallCursor = await cursorAfter(`${server.url}/api/${small.id}/tasks`, users[1]!.authorization, 50);
  const probes = (user: (typeof users)[number]): Probe[] => [
    { label: "first page", query: "limit=50" },
    { label: "deep page (cursor)", query: `limit=50&cursor=${user === users[0] ? deepCursor : smallCursor}` },
    { label: "filtered (completed)", query: "limit=50&status=completed" },
    { label: "search, matches all ('task')", query: "limit=50&q=task" },
    { label: "search, about 1 in 6 ('milk')", query: "limit=50&q=milk" },
    { label: `search, one row ('${rareTerm}')`, query: `limit=50&q=${rareTerm}` },
    { label: "search, no row ('zzzqqq')", query: "limit=50&q=zzzqqq" },
  ];
  for (const user of users) {
    await expectOk(`${server.url}/api/${user.id}/tasks?limit=1`, { headers: { authorization: user.authorization } });
  }
  for (const [index, probe] of probes(users[0]!).entries()) {
    const row: Record<string, unknown> = { probe: probe.label };
    for (const user of users) {
      const query = probes(user)[index]!.query;
      // Median of three short runs per user, alternating, so both users see the same machine.
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await latency(`${server.url}/api/${user.id}/tasks?${query}`, user.authorization));
      row[user.name] = { p50: median(runs.map((r) => r.p50)), mean: median(runs.map((r) => r.mean)), p99: median(runs.map((r) => r.p99)) };
      if (runs.some((r) => r.errors > 0)) throw new Error(`${probe.label} for ${user.name}: non-2xx answers`);
    }
    const bigMean = (row["1,000,000 tasks"] as { mean: number }).mean;
    const smallMean = (row["100 tasks"] as { mean: number }).mean;
    row.ratio = bigMean / smallMean;
    results.push(row);
    log(`${probe.label.padEnd(34)} big ${bigMean.toFixed(2)} ms  small ${smallMean.toFixed(2)} ms  ratio ${(bigMean / smallMean).toFixed(2)}`);
  }

  // The plans PostgreSQL chooses for the big user's page scan: the query inside the repository's list
  // statement, which adds a row number and joins the page's JSON (docs/database.md has those full plans).
  const explain = async (label: string, statement: string, params: unknown[]) => {
    const { rows } = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${statement}`, params);
    plans[label] = rows.map((r) => r["QUERY PLAN"]).join("\n");
  };
  const deepRow = (
    await db.query<{ created_at: Date; id: string }>(
      `SELECT created_at, id FROM task WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $2`,
      [big.id, DEEP_ROWS - 1],
    )
  ).rows[0]!;
  const list = `SELECT * FROM task WHERE user_id = $1`;
  const order = `ORDER BY created_at DESC, id DESC LIMIT 51`;
  await explain("first page", `${list} ${order}`, [big.id]);
  await explain("deep page (cursor)", `${list} AND (created_at, id) < ($2::timestamptz, $3::uuid) ${order}`, [
    big.id,
    deepRow.created_at,
    deepRow.id,
  ]);
  await explain("filtered (completed)", `${list} AND completed = true ${order}`, [big.id]);
  // The repository's search condition: the indexed text (the schema's own expression), then the fields.
  const search = `${new PgDialect().sqlToQuery(searchableText(task)).sql} ILIKE $2 AND (title ILIKE $2 OR description ILIKE $2)`;
  for (const term of ["task", "milk", rareTerm, "zzzqqq"]) {
    await explain(`search '${term}'`, `${list} AND ${search} ${order}`, [big.id, `%${term}%`]);
  }
  await db.end();
} finally {
  await server.stop();
}

const table = [
  "| probe | 1,000,000 tasks: mean ms (p99) | 100 tasks: mean ms (p99) | ratio |",
  "| --- | ---: | ---: | ---: |",
  ...results.map((row) => {
    const cell = (value: unknown) => {
      const { mean, p99 } = value as { mean: number; p99: number };
      return `${mean.toFixed(2)} (${p99})`;
    };
    return `| ${String(row.probe)} | ${cell(row["1,000,000 tasks"])} | ${cell(row["100 tasks"])} | ${(row.ratio as number).toFixed(2)} |`;
  }),
];
console.log(table.join("\n"));
for (const [label, plan] of Object.entries(plans)) console.log(`\n#### ${label}\n\n\`\`\`\n${plan}\n\`\`\``);
const resultsDir = path.join(ROOT, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `scale-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify({ tasks: BIG, deepRows: DEEP_ROWS, durationSeconds, results, plans }, null, 2)}\n`);
log(`results: ${path.relative(ROOT, file)}`);
const over = results.filter((row) => (row.ratio as number) > 2);
if (over.length) log(`over 2x: ${over.map((row) => row.probe).join(", ")}`);
