import { performance } from "node:perf_hooks";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, type TestApp } from "../app.js";
import { signUp, type TestUser } from "../users.js";
import { waitFor } from "./load.js";

/**
 * Overload: the event loop lags past OVERLOAD_MAX_EVENT_LOOP_DELAY_MS and the server sheds requests
 * with a quick 503 and Retry-After, keeps /healthz answering, and serves again once the load stops.
 * The load is CPU work on the server's own event loop, from a route only this test adds.
 */
const THRESHOLD_MS = 100;
const BLOCK_MS = 250;
const SHED_WITHIN_MS = 5_000;
const RECOVER_WITHIN_MS = 5_000;

interface Loaded {
  t: TestApp;
  alice: TestUser;
  /** Keeps `workers` clients calling the CPU-bound route until stopped. */
  load(workers: number): { stop(): Promise<void> };
}

async function loadedApp(env: Record<string, string>): Promise<Loaded> {
  const t = await buildTestApp(env);
  // Exempt from shedding (under-pressure's per-route handler), so the load does not shed itself.
  t.app.get("/test/busy", { config: { pressureHandler: () => undefined } as object }, async () => {
    const end = performance.now() + BLOCK_MS;
    while (performance.now() < end);
    return { busy: BLOCK_MS };
  });
  // Starting up, hashing a password or a machine busy with other work can lag the loop past the
  // threshold by itself: sign up once the server serves.
  let alice: TestUser | undefined;
  await waitFor(
    "signed up",
    async () => {
      alice = await signUp(t.app, "Alice").catch((error: Error) => {
        if (!error.message.includes("overloaded")) throw error;
        return undefined;
      });
      return alice !== undefined;
    },
    60_000,
    200,
  );
  return {
    t,
    alice: alice!,
    load(workers) {
      let running = true;
      const loops = Array.from({ length: workers }, async () => {
        while (running) {
          await t.app.inject({ method: "GET", url: "/test/busy" });
          // inject can complete in microtasks alone; a turn of the event loop lets timers (the
          // delay sampling, the test's own polling) run, as they would between network requests.
          await new Promise((resolve) => setImmediate(resolve));
        }
      });
      return {
        stop: async () => {
          running = false;
          await Promise.all(loops);
        },
      };
    },
  };
}

const probe = (t: TestApp, user: TestUser) => t.app.inject({ method: "GET", url: `${user.tasksUrl}?limit=1`, headers: user.bearer });

describe("overload with shedding on", () => {
  let loaded: Loaded;
  beforeAll(async () => {
    loaded = await loadedApp({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: String(THRESHOLD_MS) });
  }, 90_000);
  afterAll(() => loaded.t.close());

  it("answers 503 SERVICE_UNAVAILABLE with Retry-After while the event loop lags, keeps /healthz up, and recovers", async () => {
    const { t, alice } = loaded;
    // Signing up (password hashing) or a busy machine can lag the loop for a moment by itself.
    await waitFor("serving before the load", async () => (await probe(t, alice)).statusCode === 200, RECOVER_WITHIN_MS);

    const load = loaded.load(2);
    let shed: LightMyRequestResponse | undefined;
    let health: LightMyRequestResponse | undefined;
    let ready: LightMyRequestResponse | undefined;
    try {
      await waitFor(
        "a request shed",
        async () => {
          const [api, healthz, readyz] = await Promise.all([
            probe(t, alice),
            t.app.inject({ method: "GET", url: "/healthz" }),
            t.app.inject({ method: "GET", url: "/readyz" }),
          ]);
          if (api.statusCode !== 503) return false;
          [shed, health, ready] = [api, healthz, readyz];
          return true;
        },
        SHED_WITHIN_MS,
      );
    } finally {
      await load.stop();
    }
    expect(shed!.json()).toEqual({
      success: false,
      error: { code: "SERVICE_UNAVAILABLE", message: expect.stringContaining("overloaded") },
    });
    expect(shed!.headers["retry-after"]).toBe("2");
    expect(shed!.headers["x-request-id"]).toBeTruthy();
    expect(health!.statusCode).toBe(200);
    expect(ready!.statusCode).toBe(503);

    const recoveredMs = await waitFor("serving again", async () => (await probe(t, alice)).statusCode === 200, RECOVER_WITHIN_MS);
    expect(recoveredMs).toBeLessThan(RECOVER_WITHIN_MS);
    expect((await t.app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
  });
});

describe("overload with shedding off (OVERLOAD_MAX_EVENT_LOOP_DELAY_MS=0)", () => {
  let loaded: Loaded;
  beforeAll(async () => {
    loaded = await loadedApp({ OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: "0" });
  }, 90_000);
  afterAll(() => loaded.t.close());

  it("never sheds: no request is refused as overloaded, however late it is served", async () => {
    const { t, alice } = loaded;
    const load = loaded.load(2);
    const batches: Promise<LightMyRequestResponse[]>[] = [];
    try {
      // Longer than shedding takes to start when it is on (one or two 1 s samples).
      for (let batch = 0; batch < 8; batch++) {
        batches.push(Promise.all([probe(t, alice), probe(t, alice), probe(t, alice)]));
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const responses = (await Promise.all(batches)).flat();
      // On PostgreSQL a starved event loop can also run out the pool's connect timeout: that is the
      // database 503 ("the database is unavailable"), which shedding early is there to pre-empt.
      expect(responses.filter((response) => response.body.includes("overloaded"))).toEqual([]);
      expect(responses.filter((response) => response.statusCode === 200).length).toBeGreaterThan(responses.length / 2);
    } finally {
      await load.stop();
    }
  });
});
