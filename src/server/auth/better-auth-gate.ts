import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Better Auth keeps each call's state in AsyncLocalStorage. Before Node 24 (AsyncContextFrame), an
 * AsyncLocalStorage that has been used keeps promise hooks installed, and they run for every promise
 * in the process, task requests included, which never reach Better Auth (measured in
 * docs/performance.md, "Better Auth's async context"). Calls into Better Auth go through
 * withBetterAuth, which disables its storages when the last call in flight has ended; the next
 * call's run() enables them again. Better Auth has no API for this: the storages are found on the
 * global it keeps them on, and better-auth-gate.test.ts fails the day that changes.
 *
 * The count is per process, not per app, because the storages and the hooks are: two apps in one
 * process (tests) share them.
 */
let callsInFlight = 0;
const HOOKED_STORAGE = Number(process.versions.node.split(".")[0]) < 24;

export async function withBetterAuth<T>(call: () => Promise<T>): Promise<T> {
  callsInFlight++;
  try {
    return await call();
  } finally {
    if (--callsInFlight === 0 && HOOKED_STORAGE) disableBetterAuthStorages();
  }
}

/** Better Auth's storages, from the global it keeps them on (@better-auth/core, context/global). */
export function betterAuthStorages(): AsyncLocalStorage<unknown>[] {
  const global = (globalThis as Record<symbol, { context?: Record<string, unknown> } | undefined>)[Symbol.for("better-auth:global")];
  return Object.values(global?.context ?? {}).filter((value) => value instanceof AsyncLocalStorage);
}

function disableBetterAuthStorages() {
  for (const storage of betterAuthStorages()) storage.disable();
}
