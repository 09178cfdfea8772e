// npm run bench: Ticked's production server under autocannon, on PostgreSQL and on PGlite, beside the
// ceiling reference server when CEILING_URL names one, and a baseline server when BASELINE_URL does. Settings are environment variables (README,
// "Benchmark"). Exits non-zero if any request of any scenario did not answer 2xx.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { recreateDatabase } from "../scripts/postgres-databases.js";
import { summarize, table } from "./report.js";
import { type Measurement, runScenario, SCENARIOS, type ScenarioName, type ScenarioSettings } from "./scenarios.js";
import { buildIfNeeded, ROOT, type RunningServer, startServer } from "./server.js";
import { referenceTarget, type Target, tickedTarget } from "./targets.js";

const env = process.env;
const databaseUrl = env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/ticked_bench";
const settings: ScenarioSettings = {
  connections: Number(env.BENCH_CONNECTIONS ?? 32),
  durationSeconds: Number(env.BENCH_DURATION ?? 10),
};
const rounds = Number(env.BENCH_ROUNDS ?? 1);
const scenarios = (env.BENCH_SCENARIOS?.split(",") ?? SCENARIOS) as ScenarioName[];
const runId = `bench-${Date.now().toString(36)}`;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** The server as production runs it; the secret is fresh each run, the per-user rate limit out of the way. */
function serverEnv(extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: "production",
    BETTER_AUTH_SECRET: secret,
    RATE_LIMIT_PER_MINUTE: "1000000",
    LOG_LEVEL: env.BENCH_LOG_LEVEL ?? "info",
    ...(env.DATABASE_POOL_MAX ? { DATABASE_POOL_MAX: env.DATABASE_POOL_MAX } : {}),
    ...extra,
  };
}
const secret = randomBytes(32).toString("base64");
// Extra arguments for the server's node, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=bench/results/profiles".
const nodeArgs = env.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];

interface ColdStart {
  /** Empty database: migrations included (and initdb, for PGlite). */
  freshMs: number;
  /** The same database again, migrated. */
  restartMs: number;
}

/** Starts the server twice (fresh, then again on the same data) and keeps the second one running. */
async function startMeasured(extra: Record<string, string>): Promise<{ server: RunningServer; coldStart: ColdStart }> {
  const fresh = await startServer(serverEnv(extra), nodeArgs);
  await fresh.stop();
  const server = await startServer(serverEnv(extra), nodeArgs);
  return { server, coldStart: { freshMs: fresh.coldStartMs, restartMs: server.coldStartMs } };
}

/** Runs every scenario on every target, round by round; targets alternate who goes first. */
async function measure(targets: Target[]): Promise<Measurement[]> {
  const measurements: Measurement[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const scenario of scenarios) {
      const order = round % 2 === 1 ? targets : [...targets].reverse();
      for (const target of order) {
        const m = await runScenario(scenario, target, settings);
        log(
          `round ${round} ${scenario.padEnd(6)} ${target.name.padEnd(16)} ${m.requestsPerSecond.toFixed(0).padStart(6)} req/s  p99 ${m.p99Ms} ms  errors ${m.errors}${m.errors ? ` ${JSON.stringify(m.errorKinds)}` : ""}  RSS ${m.rssMb?.toFixed(0) ?? "-"} MB  CPU ${m.cpuMsPerRequest?.toFixed(3) ?? "-"} ms/req`,
        );
        measurements.push({ ...m, round });
      }
    }
  }
  return measurements;
}

async function benchPostgres() {
  log(`PostgreSQL: ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname} (reset)`);
  await recreateDatabase(databaseUrl);
  const { server, coldStart } = await startMeasured({ DATABASE_URL: databaseUrl });
  try {
    log(`cold start: fresh ${coldStart.freshMs.toFixed(0)} ms, restart ${coldStart.restartMs.toFixed(0)} ms; seeding`);
    const targets = [await tickedTarget("ticked-postgres", server.url, server.pid, runId)];
    if (env.CEILING_URL) {
      // CEILING_PID (the reference server's process id) adds its RSS and CPU per request to the table.
      const pid = env.CEILING_PID ? Number(env.CEILING_PID) : undefined;
      targets.push(await referenceTarget("ceiling", env.CEILING_URL.replace(/\/$/, ""), pid, runId));
    }
    if (env.BASELINE_URL) {
      if (!env.BASELINE_SECRET) throw new Error("BASELINE_URL needs BASELINE_SECRET: the secret the baseline server verifies HS256 tokens with");
      const pid = env.BASELINE_PID ? Number(env.BASELINE_PID) : undefined;
      targets.push(await referenceTarget("baseline", env.BASELINE_URL.replace(/\/$/, ""), pid, runId, env.BASELINE_SECRET));
    }
    return { coldStart, measurements: await measure(targets) };
  } finally {
    await server.stop();
  }
}

async function benchPglite() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "ticked-bench-pglite-"));
  log(`PGlite: ${dataDir}`);
  try {
    const { server, coldStart } = await startMeasured({ DATA_DIR: dataDir });
    try {
      log(`cold start: fresh ${coldStart.freshMs.toFixed(0)} ms, restart ${coldStart.restartMs.toFixed(0)} ms; seeding`);
      return { coldStart, measurements: await measure([await tickedTarget("ticked-pglite", server.url, server.pid, runId)]) };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const startedAt = new Date();
buildIfNeeded(log);
const postgres = await benchPostgres();
// PostgreSQL's figures are on screen before PGlite starts, so a PGlite failure does not lose them.
const postgresSummary = summarize(postgres.measurements);
const ours = postgresSummary.filter((s) => s.target === "ticked-postgres");
const ceiling = postgresSummary.filter((s) => s.target === "ceiling");
const baseline = postgresSummary.filter((s) => s.target === "baseline");
const settingsLine = `${settings.connections} connections, ${settings.durationSeconds} s per scenario, ${rounds} round(s), medians; ${os.cpus().length} CPUs, load ${os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(" ")}`;
/** Growth shows as a rising peak from round to round. */
const rssByRound = (measurements: Measurement[], target: string) =>
  `${target} peak RSS by round: ${Array.from({ length: rounds }, (_, i) =>
    Math.max(...measurements.filter((m) => m.target === target && m.round === i + 1).map((m) => m.rssMb ?? Number.NaN)).toFixed(0),
  ).join(", ")} MB`;
const cold = (c: ColdStart) => `cold start to first 200 (/readyz): fresh ${c.freshMs.toFixed(0)} ms, restart ${c.restartMs.toFixed(0)} ms`;
console.log(
  [
    table("PostgreSQL", ours, ceiling.length ? ceiling : undefined),
    "",
    cold(postgres.coldStart),
    rssByRound(postgres.measurements, "ticked-postgres"),
    "",
  ].join("\n"),
);
if (baseline.length) console.log([table("PostgreSQL, beside the baseline", ours, baseline), ""].join("\n"));
const pglite = env.BENCH_PGLITE === "0" ? undefined : await benchPglite();
if (pglite) {
  console.log(
    [table("PGlite", summarize(pglite.measurements)), "", cold(pglite.coldStart), rssByRound(pglite.measurements, "ticked-pglite"), ""].join("\n"),
  );
}
console.log(settingsLine);

const resultsDir = path.join(ROOT, "bench", "results");
mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(
  file,
  `${JSON.stringify({ startedAt, settings: { ...settings, rounds, scenarios, ceilingUrl: env.CEILING_URL ?? null, baselineUrl: env.BASELINE_URL ?? null }, node: process.version, postgres, pglite: pglite ?? null }, null, 2)}\n`,
);
log(`results: ${path.relative(ROOT, file)}`);

const errors = [...postgres.measurements, ...(pglite?.measurements ?? [])].reduce((sum, m) => sum + m.errors, 0);
if (errors > 0) {
  log(`${errors} requests did not answer 2xx: the run fails`);
  process.exitCode = 1;
}
