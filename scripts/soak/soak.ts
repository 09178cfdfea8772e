// The soak: SOAK_MINUTES (10) of mixed task traffic against a production-mode server process on
// PostgreSQL, sampling the server's memory every few seconds. It passes when no request failed and
// memory stayed flat (docs/reliability.md, "Soak"). Run: npm run soak
//
// DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ticked_soak): a database whose name
// starts with ticked_soak is dropped and created afresh; any other is used as it is.
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ProcessUser, signUpOver } from "../../test/server-process.js";
import { launchServer } from "../launch-server.js";
import { recreateDatabase } from "../postgres-databases.js";

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const USERS = Number(process.env.SOAK_USERS ?? 10);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 8);
// Paced rather than flat out: the soak looks for leaks and errors over time, not for peak throughput.
const RATE_PER_SECOND = Number(process.env.SOAK_RATE ?? 150);
const SAMPLE_MS = 5_000;
const TOKEN_REFRESH_MS = 10 * 60_000; // tokens live 15 minutes
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/ticked_soak";
const SAMPLER = fileURLToPath(new URL("./memory-sampler.ts", import.meta.url));

type Operation = "create" | "list" | "search" | "get" | "update" | "toggle" | "delete";
// Weighted: mostly reads and creates, as a todo app sees them.
const MIX: [Operation, number][] = [
  ["create", 30],
  ["list", 25],
  ["search", 10],
  ["get", 10],
  ["update", 10],
  ["toggle", 10],
  ["delete", 5],
];
const SORTS = ["-created_at", "created_at", "title", "-updated_at"];

interface Sample {
  at: number;
  rss: number;
  heapUsed: number;
}

function pick(): Operation {
  let roll = randomInt(100);
  for (const [operation, weight] of MIX) {
    roll -= weight;
    if (roll < 0) return operation;
  }
  return "list";
}

class Tally {
  readonly byOperation = new Map<string, number>();
  readonly failures = new Map<string, number>();
  requests = 0;

  count(operation: Operation, outcome: number | string, expected: number) {
    this.requests++;
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
    if (outcome !== expected) {
      const key = `${operation} ${outcome}`;
      this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
    }
  }

  get errors() {
    return [...this.failures.values()].reduce((sum, n) => sum + n, 0);
  }
}

interface Client {
  user: ProcessUser;
  /** Tasks this client created and has not deleted; only its own worker touches them. */
  ids: string[];
}

async function run(client: Client, operation: Operation, tally: Tally) {
  const { user, ids } = client;
  const send = async (expected: number, url: string, init: RequestInit = {}) => {
    try {
      const response = await fetch(url, { ...init, headers: user.headers, signal: AbortSignal.timeout(30_000) });
      const body = (await response.json()) as { data?: { id: string } };
      tally.count(operation, response.status, expected);
      return response.status === expected ? body : undefined;
    } catch (error) {
      tally.count(operation, (error as { cause?: { code?: string }; name?: string }).cause?.code ?? (error as Error).name, expected);
      return undefined;
    }
  };
  const id = ids.length > 0 ? ids[randomInt(ids.length)]! : undefined;
  if (operation === "create" || !id) {
    const body = JSON.stringify({ title: `soak ${randomBytes(6).toString("hex")}`, description: randomInt(2) ? "a description" : undefined });
    const created = await send(201, user.tasksUrl, { method: "POST", body });
    if (created?.data) ids.push(created.data.id);
  } else if (operation === "list") {
    const status = ["all", "pending", "completed"][randomInt(3)];
    await send(200, `${user.tasksUrl}?limit=${10 + randomInt(40)}&status=${status}&sort=${SORTS[randomInt(SORTS.length)]}`);
  } else if (operation === "search") {
    await send(200, `${user.tasksUrl}?q=${randomBytes(1).toString("hex")}`);
  } else if (operation === "get") {
    await send(200, `${user.tasksUrl}/${id}`);
  } else if (operation === "update") {
    await send(200, `${user.tasksUrl}/${id}`, { method: "PATCH", body: JSON.stringify({ title: `soak edited ${randomBytes(4).toString("hex")}` }) });
  } else if (operation === "toggle") {
    await send(200, `${user.tasksUrl}/${id}/complete`, { method: "PATCH" });
  } else {
    ids.splice(ids.indexOf(id), 1);
    await send(200, `${user.tasksUrl}/${id}`, { method: "DELETE" });
  }
}

/** Better Auth limits sign-ups and token requests per client address in production: wait and retry. */
async function patiently<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= 10 || !/\b429\b/.test((error as Error).message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
  }
}

async function refreshToken(url: string, user: ProcessUser) {
  const response = await fetch(`${url}/api/auth/token`, { headers: { cookie: user.cookie } });
  if (response.status !== 200) throw new Error(`token refresh failed: ${response.status}`);
  user.headers.authorization = `Bearer ${((await response.json()) as { token: string }).token}`;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1);

function memoryReport(samples: Sample[]) {
  const firstMinute = samples.filter((sample) => sample.at <= samples[0]!.at + 60_000);
  const lastMinute = samples.filter((sample) => sample.at >= samples.at(-1)!.at - 60_000);
  const line = (name: string, of: (sample: Sample) => number) =>
    `${name}: first minute ${mb(mean(firstMinute.map(of)))} MB, last minute ${mb(mean(lastMinute.map(of)))} MB, ` +
    `max ${mb(Math.max(...samples.map(of)))} MB`;
  return [line("RSS", (sample) => sample.rss), line("heap used", (sample) => sample.heapUsed)];
}

async function main() {
  // Only a database named for the soak is dropped: DATABASE_URL could name one with data in it.
  if (new URL(DATABASE_URL).pathname.slice(1).startsWith("ticked_soak")) await recreateDatabase(DATABASE_URL);
  const dataDir = mkdtempSync(path.join(tmpdir(), "ticked-soak-"));
  const memoryFile = path.join(dataDir, "memory.jsonl");
  const server = await launchServer({
    env: {
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      DATA_DIR: dataDir,
      DATABASE_URL,
      BETTER_AUTH_SECRET: randomBytes(32).toString("base64"),
      RATE_LIMIT_PER_MINUTE: "1000000",
      SOAK_MEMORY_FILE: memoryFile,
      SOAK_SAMPLE_MS: String(SAMPLE_MS),
    },
    nodeArgs: ["--import", SAMPLER],
  }).catch((error: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const { url } = server;
  try {
    const clients: Client[] = [];
    for (let i = 0; i < USERS; i++) clients.push({ user: await patiently(() => signUpOver(url)), ids: [] });

    const tally = new Tally();
    const startedAt = Date.now();
    const endsAt = startedAt + MINUTES * 60_000;
    let lastRefresh = startedAt;
    const progress = setInterval(() => {
      const elapsed = (Date.now() - startedAt) / 1000;
      process.stdout.write(`soak: ${elapsed.toFixed(0)} s, ${tally.requests} requests, ${tally.errors} errors\n`);
    }, 60_000);
    // Each worker owns a fixed slice of the users, so no two workers touch one user's task list.
    const interval = (1000 * CONCURRENCY) / RATE_PER_SECOND;
    const workers = Array.from({ length: CONCURRENCY }, async (_, worker) => {
      const mine = clients.filter((_client, index) => index % CONCURRENCY === worker);
      for (let next = Date.now(); Date.now() < endsAt; ) {
        if (Date.now() - lastRefresh > TOKEN_REFRESH_MS) {
          lastRefresh = Date.now();
          for (const client of clients) await patiently(() => refreshToken(url, client.user));
        }
        await run(mine[randomInt(mine.length)]!, pick(), tally);
        // A worker that fell behind (a busy machine) goes on at the pace, rather than bursting to catch up.
        next = Math.max(next + interval, Date.now());
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
      }
    });
    await Promise.all(workers);
    clearInterval(progress);

    const seconds = (Date.now() - startedAt) / 1000;
    const samples = readFileSync(memoryFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Sample)
      .filter((sample) => sample.at >= 0);
    const loadSamples = samples.slice(-Math.floor((seconds * 1000) / SAMPLE_MS));
    const report = [
      `soak: ${MINUTES} min against a production-mode server on ${new URL(DATABASE_URL).pathname.slice(1)}, ${USERS} users, ${CONCURRENCY} clients paced to ${RATE_PER_SECOND} req/s`,
      `requests: ${tally.requests} in ${seconds.toFixed(0)} s (${(tally.requests / seconds).toFixed(0)} req/s): ` +
        [...tally.byOperation].map(([operation, n]) => `${operation} ${n}`).join(", "),
      `errors: ${tally.errors}${tally.errors ? ` (${[...tally.failures].map(([key, n]) => `${key}: ${n}`).join(", ")})` : ""}`,
      `memory samples: ${loadSamples.length}, every ${SAMPLE_MS / 1000} s`,
      ...memoryReport(loadSamples),
      `tasks left: ${clients.reduce((sum, client) => sum + client.ids.length, 0)}`,
    ];
    process.stdout.write(`${report.join("\n")}\n`);
    process.exitCode = tally.errors === 0 ? 0 : 1;
  } finally {
    const code = await server.stop("SIGTERM");
    if (code !== 0) {
      process.stdout.write(`server exited with ${code}: ${server.output()}\n`);
      process.exitCode = 1;
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
