import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { freePort, launchServer, ROOT } from "../scripts/launch-server.js";

export { ROOT };

// Generous: on a loaded machine a fresh PGlite directory (initdb) alone has taken over a minute.
const START_TIMEOUT_MS = 180_000;

interface PackageJson {
  scripts: Record<string, string>;
}
const packageJson = (): PackageJson => JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as PackageJson;

/** `npm run build` when the project has one (the web app adds it), so the server serves what ships. */
export function buildIfNeeded(log: (line: string) => void) {
  if (!packageJson().scripts.build) return;
  log("npm run build");
  const result = spawnSync("npm", ["run", "build"], { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
  if (result.status !== 0) throw new Error(`npm run build failed with exit code ${result.status}`);
}

export interface RunningServer {
  url: string;
  pid: number;
  /** From spawn to the first 200 of /readyz (the database answers), in ms. */
  coldStartMs: number;
  stop(): Promise<void>;
}

/**
 * Starts the production server (npm start's command) with the given environment on top of a clean
 * one. Its log goes to /dev/null, as to a log shipper: pino still formats and writes every line, the
 * bench does not read them.
 */
export async function startServer(env: Record<string, string>, nodeArgs: string[] = []): Promise<RunningServer> {
  const port = String(await freePort());
  const url = `http://127.0.0.1:${port}`;
  const server = await launchServer({
    env: { NODE_ENV: "production", ...env, PORT: port, BETTER_AUTH_URL: url },
    entry: "build",
    nodeArgs,
    stdout: "ignore",
    timeoutMs: START_TIMEOUT_MS,
  });
  return {
    url,
    pid: server.child.pid!,
    coldStartMs: server.readyMs,
    stop: async () => {
      const code = await server.stop();
      if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM: ${server.output()}`);
    },
  };
}

/** Resident set size of a process in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux). */
export function cpuMs(pid: number): number {
  // The fields after the command name (which may hold spaces) start at the last ")"; utime and stime are 14 and 15.
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(")").at(-1)!.trim().split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}
const CLOCK_TICKS_PER_SECOND = 100;

/** Samples a process's RSS every 200 ms until stopped; returns the peak. */
export function sampleRss(pid: number | undefined): () => number | undefined {
  if (pid === undefined) return () => undefined;
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 200);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssMb(pid));
  };
}
