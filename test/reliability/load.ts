import { performance } from "node:perf_hooks";
import type { ProcessUser } from "../server-process.js";

/** One request of the load and how it ended: an HTTP status, or the network error's code. */
export interface Outcome {
  kind: "create" | "list";
  /** The title a create sent: unique, so the database can be searched for it afterwards. */
  title?: string;
  status: number | string;
  /** The envelope's error code, when there was one. */
  code?: string;
  startedAt: number;
  ms: number;
}

/** Long enough that only a hung request reaches it; the tests' bounds are far shorter. */
const HANGING_MS = 15_000;

async function timed(kind: Outcome["kind"], title: string | undefined, send: () => Promise<Response>): Promise<Outcome> {
  const startedAt = performance.now();
  try {
    const response = await send();
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
    return { kind, title, status: response.status, code: body.error?.code, startedAt, ms: performance.now() - startedAt };
  } catch (error) {
    const { name, cause } = error as { name?: string; cause?: { code?: string } };
    const status = name === "TimeoutError" ? "hung" : (cause?.code ?? "failed");
    return { kind, title, status, startedAt, ms: performance.now() - startedAt };
  }
}

export interface Load {
  outcomes: Outcome[];
  /** Resolves once `count` more requests than now have finished. */
  settled(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A steady stream of writes and reads from `workers` clients, each creating a task with a unique
 * title and then reading the first page, over and over until stopped.
 */
export function startLoad(user: ProcessUser, { workers = 4, prefix = "load" } = {}): Load {
  const outcomes: Outcome[] = [];
  let running = true;
  let sequence = 0;
  const loop = async (worker: number) => {
    while (running) {
      const title = `${prefix} ${worker}-${sequence++}`;
      outcomes.push(
        await timed("create", title, () =>
          fetch(user.tasksUrl, {
            method: "POST",
            headers: user.headers,
            body: JSON.stringify({ title }),
            signal: AbortSignal.timeout(HANGING_MS),
          }),
        ),
      );
      outcomes.push(
        await timed("list", undefined, () => fetch(`${user.tasksUrl}?limit=5`, { headers: user.headers, signal: AbortSignal.timeout(HANGING_MS) })),
      );
    }
  };
  const loops = Array.from({ length: workers }, (_, worker) => loop(worker));
  return {
    outcomes,
    async settled(count, timeoutMs = 10_000) {
      const target = outcomes.length + count;
      const deadline = Date.now() + timeoutMs;
      while (outcomes.length < target) {
        if (Date.now() > deadline) throw new Error(`only ${outcomes.length - target + count} of ${count} requests finished in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Polls until `check` holds, and says how long that took; fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 50): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export const status = async (url: string): Promise<number | string> => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(HANGING_MS) })).status;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code ?? "failed";
  }
};
