import { randomUUID } from "node:crypto";
import { launchServer, type SpawnedServer, spawnServer } from "../scripts/launch-server.js";

export type { SpawnedServer as ServerProcess } from "../scripts/launch-server.js";
export { freePort } from "../scripts/launch-server.js";

/** Generous: on a busy machine a server process takes many seconds to compile and start (PGlite's first start runs initdb too). */
export const STARTUP_MS = 120_000;

/** The server from its TypeScript sources (npm start runs the same code compiled), not waited for: a start expected to fail. */
export function runServer(env: Record<string, string>): Promise<SpawnedServer> {
  return spawnServer({ env: { LOG_LEVEL: "warn", ...env } });
}

/** The server from its sources, ready: /readyz answered 200. */
export function startServer(env: Record<string, string>, timeoutMs = STARTUP_MS): Promise<SpawnedServer> {
  return launchServer({ env: { LOG_LEVEL: "warn", ...env }, timeoutMs });
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
