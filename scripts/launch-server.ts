/**
 * The one way tests, the benchmark, the soak and the browser tests start a Ticked server process:
 * spawn it, wait until /readyz answers 200 (the database answers, no load is shed), stop it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * "sources": the TypeScript through tsx, so no build is needed (tests). "build": npm start's own
 * node command on dist/server, run directly rather than through npm so that the process measured
 * and signalled is the server itself (the benchmark). { compiled }: a server.js compiled elsewhere.
 */
export type ServerEntry = "sources" | "build" | { compiled: string };

export interface LaunchOptions {
  /** On top of a clean environment (PATH only). PORT, when absent, is a free port. */
  env?: Record<string, string>;
  entry?: ServerEntry;
  /** Node options before the entry point: --import preloads, --cpu-prof. */
  nodeArgs?: string[];
  /** "ignore" sends standard output (the JSON log) nowhere, as to a log shipper; stderr is kept. */
  stdout?: "capture" | "ignore";
  timeoutMs?: number;
}

export interface SpawnedServer {
  /** http://localhost:PORT, this process's own address (BETTER_AUTH_URL may name a proxy in front). */
  url: string;
  /** NaN when PORT was given and is no number (a start that must fail). */
  port: number;
  child: ChildProcess;
  /** What the process wrote so far (standard error only when stdout is "ignore"). */
  output: () => string;
  /** Resolves with the exit code once the process has ended (null when a signal ended it). */
  exited: Promise<number | null>;
  /** Signals the process unless it has ended already; resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface LaunchedServer extends SpawnedServer {
  /** From spawn to the first 200 of /readyz, in ms. */
  readyMs: number;
}

/** Generous: on a busy machine a fresh PGlite directory (initdb) alone has taken over a minute. */
export const DEFAULT_START_TIMEOUT_MS = 60_000;
const POLL_MS = 10;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

// A test that times out, or a script that fails, must not leave its servers running: they go with
// this process, whether it exits or is terminated (Vitest ends its workers with SIGTERM).
const running = new Set<ChildProcess>();
const killRunning = () => {
  for (const child of running) child.kill("SIGKILL");
};
process.once("exit", killRunning);
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    killRunning();
    process.kill(process.pid, signal);
  });
}

function nodeArguments(entry: ServerEntry, nodeArgs: string[]): string[] {
  // tsx first, so that preloads may be TypeScript too.
  if (entry === "sources") return ["--import", "tsx", ...nodeArgs, "src/server/server.ts"];
  if (typeof entry === "object") return [...nodeArgs, entry.compiled];
  const start = (JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as { scripts: { start: string } }).scripts.start;
  const words = start.trim().split(/\s+/);
  if (words[0] !== "node") throw new Error(`npm start must run node directly, got: ${start}`);
  return [...nodeArgs, ...words.slice(1)];
}

/** Spawns the server without waiting for it: for a start that is expected to fail. */
export async function spawnServer({ env = {}, entry = "sources", nodeArgs = [], stdout = "capture" }: LaunchOptions = {}): Promise<SpawnedServer> {
  const port = env.PORT ?? String(await freePort());
  const child = spawn(process.execPath, nodeArguments(entry, nodeArgs), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env, PORT: port },
    stdio: ["ignore", stdout === "ignore" ? "ignore" : "pipe", "pipe"],
  });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    url: `http://localhost:${port}`,
    port: Number(port),
    child,
    output: () => output,
    exited,
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Spawns the server and resolves once it is ready; rejects (the process killed) if it exits or times out first. */
export async function launchServer(options: LaunchOptions = {}): Promise<LaunchedServer> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const started = performance.now();
  const server = await spawnServer(options);
  let exitCode: number | null | undefined;
  void server.exited.then((code) => (exitCode = code));
  const readyz = `http://127.0.0.1:${server.port}/readyz`;
  while (performance.now() - started < timeoutMs) {
    if (exitCode !== undefined) throw new Error(`server exited with ${exitCode}: ${server.output()}`);
    const ready = await fetch(readyz).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status === 200;
      },
      () => false, // not listening yet
    );
    if (ready) return { ...server, readyMs: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  server.child.kill("SIGKILL");
  throw new Error(`server did not answer /readyz within ${timeoutMs} ms: ${server.output()}`);
}
