import autocannon from "autocannon";
import { cpuMs, sampleRss } from "./server.js";
import { type Target, taskBody, taskTitle } from "./targets.js";

export const SCENARIOS = ["list", "create", "get", "update", "toggle", "delete", "mixed"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Measurement {
  scenario: ScenarioName;
  target: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, connection errors and timeouts together. */
  errors: number;
  /** What the errors were: autocannon's count of each kind, and answers by status code. */
  errorKinds?: { non2xx: number; connection: number; timeouts: number; statusCodes: Record<string, unknown> };
  /** Peak server RSS during the scenario, MB (undefined for a server this bench did not start). */
  rssMb: number | undefined;
  /** Server CPU time per request, ms: less sensitive to a busy machine than req/s. */
  cpuMsPerRequest: number | undefined;
  round?: number;
}

export interface ScenarioSettings {
  connections: number;
  durationSeconds: number;
}

interface Request {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

type Build = (n: number) => Request;

const JSON_HEADERS = { "content-type": "application/json" };

function builders(target: Target) {
  const { users, tasks } = target;
  const user = (index: number) => users[index % users.length]!;
  const owned = (n: number) => {
    const task = tasks[n % tasks.length]!;
    return { user: users[task.user]!, id: task.id };
  };
  const list: Build = (n) => ({ method: "GET", path: `/api/${user(n).id}/tasks?limit=50`, headers: user(n).headers });
  const create: Build = (n) => ({
    method: "POST",
    path: `/api/${user(n).id}/tasks`,
    headers: { ...user(n).headers, ...JSON_HEADERS },
    body: JSON.stringify(taskBody(n)),
  });
  const get: Build = (n) => {
    const { user, id } = owned(n);
    return { method: "GET", path: `/api/${user.id}/tasks/${id}`, headers: user.headers };
  };
  const update: Build = (n) => {
    const { user, id } = owned(n);
    const body = { title: `${taskTitle(n)} (edited)`, completed: n % 2 === 0 };
    return { method: "PUT", path: `/api/${user.id}/tasks/${id}`, headers: { ...user.headers, ...JSON_HEADERS }, body: JSON.stringify(body) };
  };
  const toggle: Build = (n) => {
    const { user, id } = owned(n);
    return { method: "PATCH", path: `/api/${user.id}/tasks/${id}/complete`, headers: user.headers };
  };
  const remove: Build = (n) => {
    const task = target.created[n]!;
    const owner = users[task.user]!;
    return { method: "DELETE", path: `/api/${owner.id}/tasks/${task.id}`, headers: owner.headers };
  };
  // 80% reads (list and get, half each), 20% writes (create, update, toggle).
  const mixed: Build = (n) => {
    const slot = n % 10;
    if (slot < 4) return list(n);
    if (slot < 8) return get(n);
    if (slot === 8) return create(n);
    return n % 20 === 9 ? update(n) : toggle(n);
  };
  return { list, create, get, update, toggle, delete: remove, mixed };
}

/**
 * One scenario against one target at fixed connections and duration. Every request picks the next
 * user or task in turn, so no scenario measures one cached row. Creates record their ids (from the
 * response body) for the delete scenario, which deletes each once and so runs for at most as many
 * requests as there are created tasks.
 */
export async function runScenario(scenario: ScenarioName, target: Target, settings: ScenarioSettings): Promise<Measurement> {
  await target.refreshAuth();
  const build = builders(target)[scenario];
  let counter = 0;
  const records = scenario === "create" || scenario === "mixed";
  const deletable = target.created.length;
  if (scenario === "delete" && deletable === 0) throw new Error(`${target.name}: nothing to delete (run create first)`);

  const stopSampling = sampleRss(target.pid);
  const cpuBefore = target.pid === undefined ? 0 : cpuMs(target.pid);
  const result = await autocannon({
    url: target.url,
    connections: settings.connections,
    ...(scenario === "delete" ? { amount: deletable } : { duration: settings.durationSeconds }),
    requests: [
      {
        setupRequest: (request) => {
          const next = build(counter++);
          return { ...request, method: next.method, path: next.path, headers: next.headers ?? {}, body: next.body };
        },
        ...(records
          ? {
              onResponse: (status: number, body: string) => {
                if (status === 201) target.created.push(target.createdTask(body));
              },
            }
          : {}),
      },
    ],
  });
  const rssMb = stopSampling();
  const cpuMsPerRequest = target.pid === undefined ? undefined : (cpuMs(target.pid) - cpuBefore) / result.requests.total;
  if (scenario === "delete") target.created = [];
  return {
    scenario,
    target: target.name,
    // Not autocannon's mean of per-second samples: a delete run ends within a second, whose partial sample would count.
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    errorKinds: { non2xx: result.non2xx, connection: result.errors, timeouts: result.timeouts, statusCodes: result.statusCodeStats ?? {} },
    rssMb,
    cpuMsPerRequest,
  };
}
