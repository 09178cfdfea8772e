/**
 * Resident memory of the production server at idle, under load and at idle again, plus request
 * timings: `node --import tsx scripts/measure-rss.ts [port]` after `npm run build`. With
 * DATABASE_URL set it measures the PostgreSQL build, otherwise the embedded database in a throwaway
 * data directory. Linux only: it reads /proc/PID/status.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";

const port = Number(process.argv[2] ?? 9600);
const base = `http://localhost:${port}`;
const TASKS = 2_000;
const IDLE_SETTLE_MS = 5_000;

const packageJson = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } };
const [, ...startArgs] = packageJson.scripts.start.split(/\s+/);
const entry = startArgs.pop()!;
// MEASURE_NODE_FLAGS: node flags to try in place of npm start's own.
const nodeFlags = process.env.MEASURE_NODE_FLAGS === undefined ? startArgs : process.env.MEASURE_NODE_FLAGS.split(/\s+/).filter(Boolean);
const dataDir = process.env.MEASURE_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), "ticked-rss-"));
const server = spawn(process.execPath, [...nodeFlags, entry], {
  env: {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    BETTER_AUTH_SECRET: "measure-rss-secret-measure-rss-secret",
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    RATE_LIMIT_PER_MINUTE: "1000000",
  },
  stdio: ["ignore", "inherit", "inherit"],
});

function rss() {
  const status = readFileSync(`/proc/${server.pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  const mb = (field: string) => Math.round(kb(field) / 1024);
  return { VmRSS: mb("VmRSS"), RssAnon: mb("RssAnon"), RssFile: mb("RssFile"), VmHWM: mb("VmHWM") };
}

/** The process's biggest resident mappings (an unnamed one is anonymous memory: a heap or WebAssembly). */
function largestMappings(count: number) {
  const mappings: { name: string; sizeMB: number; rssMB: number }[] = [];
  for (const line of readFileSync(`/proc/${server.pid}/smaps`, "utf8").split("\n")) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const size = parseInt(header[2]!, 16) - parseInt(header[1]!, 16);
      mappings.push({ name: `${header[4] || "[anon]"} ${header[3]}`, sizeMB: Math.round(size / 2 ** 20), rssMB: 0 });
    } else if (line.startsWith("Rss:")) {
      mappings.at(-1)!.rssMB = Math.round(Number(line.split(/\s+/)[1]) / 1024);
    }
  }
  return mappings.sort((a, b) => b.rssMB - a.rssMB).slice(0, count);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntilUp() {
  for (let i = 0; i < 1_200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).status < 500) return;
    } catch {}
    await sleep(100);
  }
  throw new Error("server did not start");
}

/** CPU time the server has used, in ms: steadier than wall time on a machine shared with other work. */
function serverCpuMs() {
  const fields = readFileSync(`/proc/${server.pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime, in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function timed(label: string, count: number, request: (i: number) => Promise<Response>) {
  const started = performance.now();
  const cpuBefore = serverCpuMs();
  for (let i = 0; i < count; i++) {
    const response = await request(i);
    if (!response.ok) throw new Error(`${label}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  }
  const ms = (performance.now() - started) / count;
  const cpuMs = (serverCpuMs() - cpuBefore) / count;
  console.log(`${label}: ${ms.toFixed(2)} ms per request, ${cpuMs.toFixed(2)} ms of server CPU, over ${count}`);
}

try {
  await waitUntilUp();
  await sleep(IDLE_SETTLE_MS);
  console.log("idle after start", rss());
  console.log("largest mappings", largestMappings(10));

  const email = `rss-${Date.now()}@example.com`;
  const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify({ email, password: "measure-rss-password", name: "RSS" }),
  });
  if (!signUp.ok) throw new Error(`sign-up: ${signUp.status} ${await signUp.text()}`);
  const { user } = (await signUp.json()) as { user: { id: string } };
  const cookie = signUp.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { token } = (await (await fetch(`${base}/api/auth/token`, { headers: { cookie } })).json()) as { token: string };
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const tasks = `${base}/api/${user.id}/tasks`;

  await timed("create", TASKS, (i) => fetch(tasks, { method: "POST", headers, body: JSON.stringify({ title: `Task ${i}` }) }));
  await timed("list of 50", TASKS, () => fetch(`${tasks}?limit=50`, { headers }));
  console.log("after creates and lists", rss());

  let peak = rss();
  const sampler = setInterval(() => {
    const now = rss();
    if (now.VmRSS > peak.VmRSS) peak = now;
  }, 200);
  const cpuBefore = serverCpuMs();
  const result = await autocannon({ url: `${tasks}?limit=50`, headers, connections: 32, duration: 10 });
  clearInterval(sampler);
  const cpuMs = (serverCpuMs() - cpuBefore) / result.requests.total;
  console.log(
    `autocannon list: ${result.requests.average} req/s, ${cpuMs.toFixed(2)} ms of server CPU per request, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`,
  );
  console.log("peak under load", peak);

  await sleep(IDLE_SETTLE_MS * 2);
  console.log("idle after load", rss());
  console.log("largest mappings", largestMappings(10));
} finally {
  server.kill("SIGTERM");
  await new Promise((resolve) => server.once("exit", resolve));
  if (!process.env.MEASURE_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
}
