import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SERVER_ENTRY = "src/server/server.ts";

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

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

/**
 * Runs the server from its TypeScript sources (npm start runs the same code compiled), with the given
 * environment on top of a clean one.
 * `preload` modules are imported first, as with node --import (the soak's memory sampler).
 */
export function runServer(
  env: Record<string, string>,
  preload: string[] = [],
): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--import", "tsx", ...preload.flatMap((module) => ["--import", module]), SERVER_ENTRY], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Starts the server and waits until it is ready: /readyz answers 200 (the database answers, no load is shed). */
/** Generous: on a busy machine a server process takes many seconds to compile and start (PGlite's first start runs initdb too). */
export const STARTUP_MS = 60_000;

export async function startServer(env: Record<string, string>, timeoutMs = STARTUP_MS): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort());
  const run = runServer({ ...env, PORT: port });
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void run.exited.then((code) => (exitCode = code));
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`server exited with ${exitCode}: ${run.output()}`);
    try {
      if ((await fetch(`${url}/readyz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (Date.now() >= deadline) {
    run.child.kill("SIGKILL");
    throw new Error(`server did not start within ${timeoutMs} ms: ${run.output()}`);
  }
  return {
    url,
    ...run,
    stop: (signal = "SIGTERM") => {
      if (run.child.exitCode === null) run.child.kill(signal);
      return run.exited;
    },
  };
}

export interface ProcessUser {
  userId: string;
  /** The session cookie, as a Cookie header value. */
  cookie: string;
  /** Bearer-authenticated JSON request headers. */
  headers: { authorization: string; "content-type": string };
  /** /api/{user_id}/tasks on the server the user signed up with. */
  tasksUrl: string;
}

/**
 * Signs a new user up over HTTP and fetches a JWT, as any client of a running server would.
 * `origin` is the app's public origin (BETTER_AUTH_URL) when that is not the server's own URL.
 */
export async function signUpOver(url: string, origin = url): Promise<ProcessUser> {
  const signUp = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ name: "Process", email: `process-${randomUUID()}@example.com`, password: "correct horse battery staple" }),
  });
  if (signUp.status !== 200) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
  const userId = ((await signUp.json()) as { user: { id: string } }).user.id;
  const cookie = signUp.headers.getSetCookie()[0]!.split(";", 1)[0]!;
  const token = await fetch(`${url}/api/auth/token`, { headers: { cookie } });
  if (token.status !== 200) throw new Error(`token failed: ${token.status} ${await token.text()}`);
  const { token: jwt } = (await token.json()) as { token: string };
  return {
    userId,
    cookie,
    headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
    tasksUrl: `${url}/api/${userId}/tasks`,
  };
}
