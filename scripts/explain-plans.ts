// Seeds a scratch PostgreSQL database with one 100,000-task user, runs EXPLAIN (ANALYZE, BUFFERS)
// on the task list queries and writes the plans block of docs/database.md. Run: node --import tsx scripts/explain-plans.ts
// DATABASE_URL only serves to create and drop the scratch database; nothing else in it is touched.

import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import type { Db } from "../src/server/db/database.js";
import { migratePostgres } from "../src/server/db/migrate.js";
import * as schema from "../src/server/db/schema/index.js";
import { createTaskRepository, type TaskListQuery } from "../src/server/tasks/tasks.repository.js";
import { createDatabase, databaseUrl, dropDatabase } from "./postgres-databases.js";

const started = performance.now();
const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SCRATCH = "ticked_explain";
const BIG_USER = "explain-big";
const PAGE = 50; // the repository asks for one more row to know whether there is a next page
const DOC = fileURLToPath(new URL("../docs/database.md", import.meta.url));
const PLANS_START = "<!-- plans:start -->";
const PLANS_END = "<!-- plans:end -->";

const scratchUrl = databaseUrl(adminUrl, SCRATCH);

// Distinct timestamps per user, so keyset ties play no part; updated_at stays after created_at.
// About a third completed; titles mix case (the title sort uses lower()) and vary by an md5 tail.
const SAMPLE_DATA = `
  INSERT INTO "user" (id, name, email, created_at, updated_at)
  SELECT id, 'Explain ' || id, id || '@example.test', now(), now() FROM owners;
  INSERT INTO task (user_id, title, description, completed, created_at, updated_at)
  SELECT id,
         initcap((ARRAY['buy','call','fix','write','review','plan','clean','book','pay','read'])[1 + g % 10])
           || ' ' || (ARRAY['milk','report','car','dentist','invoice','garden','slides','tickets','taxes','email','roof','notes'])[1 + g / 10 % 12]
           || ' ' || left(md5(id || g), 6),
         CASE WHEN g % 4 = 0 THEN 'Details ' || md5(g || id) END,
         g % 3 = 0,
         created,
         created + (g * 7919 % 100003) * interval '1 millisecond'
  FROM owners, generate_series(1, tasks) g,
       LATERAL (SELECT timestamptz '2024-01-01 00:00Z' + g * interval '2 minutes' + ordinal * interval '1 second' AS created) t;
  ANALYZE;`;
const OWNERS = `
  CREATE TEMP TABLE owners AS
  SELECT '${BIG_USER}' AS id, 100000 AS tasks, 0 AS ordinal
  UNION ALL SELECT 'explain-other-' || n, 200, n FROM generate_series(1, 20) n;`;

interface Plan {
  label: string;
  sql: string;
  params: unknown[];
  text: string;
}

async function main() {
  await dropDatabase(adminUrl, SCRATCH); // a leftover of an interrupted run
  await createDatabase(adminUrl, SCRATCH);
  const pool = new pg.Pool({ connectionString: scratchUrl, max: 1 });
  try {
    await migratePostgres(scratchUrl);
    await pool.query(OWNERS + SAMPLE_DATA);
    const version: string = (await pool.query("SELECT version()")).rows[0].version;

    // The statements come from the repository itself, captured by Drizzle's logger as sent.
    let sent: { sql: string; params: unknown[] } | undefined;
    const db = drizzle({
      client: pool,
      schema,
      logger: {
        logQuery: (sql, params) => {
          sent = { sql, params };
        },
      },
    });
    const repository = createTaskRepository(db as unknown as Db);
    const listSql = async (query: Partial<TaskListQuery>) => {
      const base: TaskListQuery = { status: "all", search: undefined, sort: "-created_at", limit: PAGE, after: undefined };
      await repository.list(BIG_USER, { ...base, ...query }); // also warms the cache for the EXPLAIN
      return sent!;
    };
    const explain = async (label: string, query: { sql: string; params: unknown[] }): Promise<Plan> => {
      const { rows } = await pool.query(`EXPLAIN (ANALYZE, BUFFERS) ${query.sql}`, query.params);
      return { label, ...query, text: rows.map((row) => row["QUERY PLAN"]).join("\n") };
    };
    // The cursor the API would hand out after 1,000 pages: the 50,000th task's sort key and id.
    const cursorAt50k = async (key: string, order: string) => {
      const { rows } = await pool.query(`SELECT ${key} AS key, id FROM task WHERE user_id = $1 ORDER BY ${order} OFFSET 49999 LIMIT 1`, [BIG_USER]);
      const row = rows[0];
      return { key: row.key instanceof Date ? row.key.toISOString() : String(row.key), id: String(row.id) };
    };

    const deep = await listSql({ after: await cursorAt50k("created_at", "created_at DESC, id DESC") });
    const plans = [
      await explain("default list", await listSql({})),
      await explain("pending list", await listSql({ status: "pending" })),
      await explain("deep page (-created_at, after 50,000)", deep),
      await explain(
        "deep page (title, after 50,000)",
        await listSql({ sort: "title", after: await cursorAt50k("lower(title)", "lower(title), id") }),
      ),
      await explain("-updated_at first page", await listSql({ sort: "-updated_at" })),
      await explain("completed list by title", await listSql({ status: "completed", sort: "title" })),
      await explain("pending list by -updated_at", await listSql({ status: "pending", sort: "-updated_at" })),
      await explain("search q=abc", await listSql({ search: "abc" })),
    ];
    await pool.query("CREATE INDEX ON task (user_id)");
    const withLoneIndex = await explain("deep page with a lone user_id index", deep);
    await pool.query("DROP INDEX task_user_id_idx");

    const indexes = (await pool.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'task' ORDER BY indexname")).rows;
    const generated = renderPlans(
      version,
      indexes.map((row) => String(row.indexdef)),
      plans,
      withLoneIndex,
    );
    const doc = readFileSync(DOC, "utf8");
    const [before, rest] = doc.split(PLANS_START);
    const after = rest?.split(PLANS_END)[1];
    if (before === undefined || after === undefined) throw new Error(`${DOC} has no ${PLANS_START} ... ${PLANS_END} block`);
    writeFileSync(DOC, `${before}${PLANS_START}\n${generated}\n${PLANS_END}${after}`);
    for (const plan of [...plans, withLoneIndex]) console.log(summary(plan), "|", verdict(plan));
  } finally {
    await pool.end();
    await dropDatabase(adminUrl, SCRATCH);
  }
  console.log(`wrote ${DOC} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const nodes = (plan: Plan) =>
  [...plan.text.matchAll(/^\s*(?:->\s+)?([A-Z][\w ]*?(?: using \w+)?)(?: on \w+)?\s+\(cost=/gm)]
    .map((match) => match[1]!)
    .filter((node) => node !== "Limit");
const executionMs = (plan: Plan) => plan.text.match(/Execution Time: ([\d.]+) ms/)?.[1] ?? "?";
const rowsReturned = (plan: Plan) => plan.text.match(/actual time=[\d.]+\.\.[\d.]+ rows=(\d+)/)?.[1] ?? "?";
const summary = (plan: Plan) => `${plan.label}: ${nodes(plan).join(" → ")}, ${rowsReturned(plan)} rows, ${executionMs(plan)} ms`;

// A range scan: one index scan whose Index Cond holds every condition, and no Sort above it.
function verdict(plan: Plan): string {
  const problems: string[] = [];
  if (nodes(plan).some((node) => /Sort|Seq Scan|Bitmap/.test(node))) problems.push(nodes(plan).join(" → "));
  const filtered = [...plan.text.matchAll(/Rows Removed by Filter: (\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
  if (filtered > 0) problems.push(`${filtered} rows read and discarded by a Filter`);
  return problems.length ? `NOT a range scan: ${problems.join("; ")}` : "index range scan, no Sort";
}

const block = (plan: Plan) => `### ${plan.label}

${summary(plan)}. Verdict: ${verdict(plan)}.

\`\`\`sql
${plan.sql}
-- params: ${JSON.stringify(plan.params)}
\`\`\`

\`\`\`
${plan.text}
\`\`\`

Execution time: ${executionMs(plan)} ms.
`;

/** The generated part of docs/database.md: everything between its plans markers. */
function renderPlans(version: string, indexes: string[], plans: Plan[], withLoneIndex: Plan): string {
  const deep = plans[2]!;
  const loneChosen = /task_user_id_idx/.test(withLoneIndex.text);
  return `The plans below were measured on:

\`\`\`
${version}
\`\`\`

with these indexes on task (read back from \`pg_indexes\`):

${indexes.map((index) => `- \`${index}\``).join("\n")}

## Query plans

Data: one user with 100,000 tasks and 20 users with 200 each (distinct timestamps, a third completed), then
ANALYZE. Each statement is the one \`tasks.repository.ts\` sends (captured from Drizzle's logger), for the user
with 100,000 tasks and a page of ${PAGE} (the query asks for ${PAGE + 1}). A range scan is an index scan whose
Index Cond holds every condition, with no Sort node above it; the status filters and the \`updated_at\` orders
are not range scans by design (above).

On the deep page (after 50,000 tasks): without a lone \`user_id\` index, ${executionMs(deep)} ms; with
\`CREATE INDEX ON task (user_id)\` added, ${executionMs(withLoneIndex)} ms. ${
    loneChosen ? "With it present the planner used it." : "The planner did not pick it."
  }

${[...plans, withLoneIndex].map((plan) => `- ${summary(plan)} (${verdict(plan)})`).join("\n")}

${[...plans, withLoneIndex].map(block).join("\n")}`;
}

await main();
