import { createHmac } from "node:crypto";
import { expectOk, inParallel } from "./http.js";

export interface BenchUser {
  id: string;
  /** Sent with every request of this user; refreshed in place when the token is renewed. */
  headers: Record<string, string>;
}

/** A server under test: Ticked itself, or a reference server answering the same routes. */
export interface Target {
  name: string;
  url: string;
  /** The server process, when this bench started it: its RSS is sampled. */
  pid?: number;
  users: BenchUser[];
  /** Seeded tasks as (user index, task id): get, update and toggle rotate through them. */
  tasks: { user: number; id: string }[];
  /** Created by the create scenario; the delete scenario deletes them. */
  created: { user: number; id: string }[];
  /** The new task (its owner's index and its id) from a create response body. */
  createdTask(body: string): { user: number; id: string };
  /** Renews credentials that would expire during the next scenario. */
  refreshAuth(): Promise<void>;
}

export const USERS = 20;
export const TASKS_PER_USER = 200;
// Bearer tokens live 15 minutes; renewing before each scenario when older than this keeps a margin.
const TOKEN_RENEW_AFTER_MS = 10 * 60_000;
const PASSWORD = "bench password, not a secret";

export function taskTitle(n: number): string {
  return `Bench task ${n}: ${["buy milk", "write report", "call plumber", "book tickets", "pay invoice"][n % 5]}`;
}

export function taskBody(n: number): { title: string; description?: string } {
  return n % 2 === 0
    ? { title: taskTitle(n) }
    : { title: taskTitle(n), description: `Details of bench task ${n}, long enough to look like a note someone wrote.` };
}

/** Both Ticked and the ceiling answer a create with the task (Ticked inside its envelope's data). */
function createdTaskOf(users: BenchUser[]) {
  const indexOf = new Map<string, number>();
  return (body: string) => {
    if (indexOf.size === 0) for (const [index, user] of users.entries()) indexOf.set(user.id, index);
    const parsed = JSON.parse(body) as { id: string; user_id: string; data?: { id: string; user_id: string } };
    const task = parsed.data ?? parsed;
    return { user: indexOf.get(task.user_id)!, id: task.id };
  };
}

async function seedTasks(target: Target) {
  const jobs = target.users.flatMap((user) => Array.from({ length: TASKS_PER_USER }, (_, n) => ({ user, n })));
  target.tasks = await inParallel(jobs, 16, async ({ user, n }) => {
    const response = await expectOk(`${target.url}/api/${user.id}/tasks`, { method: "POST", headers: user.headers, body: taskBody(n) });
    return target.createdTask(response.body);
  });
}

/** Signs a user up through Better Auth from the given loopback address; returns the id and session cookie. */
export async function signUp(url: string, email: string, localAddress: string): Promise<{ id: string; cookie: string }> {
  const response = await expectOk(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    body: { name: email.split("@")[0], email, password: PASSWORD },
    localAddress,
  });
  const cookies = [response.headers["set-cookie"] ?? []].flat().map((cookie) => cookie.split(";")[0]);
  return { id: (JSON.parse(response.body) as { user: { id: string } }).user.id, cookie: cookies.join("; ") };
}

/** A fresh bearer token (15 minutes) bought with the session cookie. */
export async function bearerHeader(url: string, cookie: string): Promise<string> {
  const response = await expectOk(`${url}/api/auth/token`, { headers: { cookie } });
  return `Bearer ${(JSON.parse(response.body) as { token: string }).token}`;
}

/**
 * Ticked: users sign up through Better Auth (each from its own loopback address, as the sign-up
 * limit is per address), keep their session cookie, and buy bearer tokens with it.
 */
export async function tickedTarget(name: string, url: string, pid: number, runId: string): Promise<Target> {
  const sessions: string[] = [];
  let tokensAt = 0;
  const target: Target = {
    name,
    url,
    pid,
    users: [],
    tasks: [],
    created: [],
    createdTask: (body) => createdTask(body),
    refreshAuth: async () => {
      if (Date.now() - tokensAt < TOKEN_RENEW_AFTER_MS) return;
      await inParallel(target.users, 8, async (user, index) => {
        user.headers.authorization = await bearerHeader(url, sessions[index]!);
      });
      tokensAt = Date.now();
    },
  };
  target.users = await inParallel(
    Array.from({ length: USERS }, (_, i) => i),
    4,
    async (i) => {
      const { id, cookie } = await signUp(url, `${runId}-${i + 1}@bench.example`, `127.0.0.${i + 2}`);
      sessions[i] = cookie;
      return { id, headers: {} };
    },
  );
  const createdTask = createdTaskOf(target.users);
  await target.refreshAuth();
  await seedTasks(target);
  return target;
}

/** An HS256 JWT for the user, valid six hours: what the baseline server checks (sub must be the path's user id). */
function hs256Bearer(userId: string, secret: string): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const signed = `${part({ alg: "HS256", typ: "JWT" })}.${part({ sub: userId, iat: now, exp: now + 6 * 3600 })}`;
  return `Bearer ${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
}

/**
 * A reference server answering the same task routes: the ceiling takes any user id in the path and
 * checks nothing; the baseline takes any user id with a bearer token signed by its secret. Fresh ids
 * per run keep runs apart.
 */
export async function referenceTarget(name: string, url: string, pid: number | undefined, runId: string, jwtSecret?: string): Promise<Target> {
  const users = Array.from({ length: USERS }, (_, i): BenchUser => {
    const id = `${runId}-${i + 1}`;
    return { id, headers: jwtSecret ? { authorization: hs256Bearer(id, jwtSecret) } : {} };
  });
  const target: Target = { name, url, pid, users, tasks: [], created: [], createdTask: createdTaskOf(users), refreshAuth: async () => {} };
  await seedTasks(target);
  return target;
}
