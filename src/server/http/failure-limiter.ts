import { createHash } from "node:crypto";
import ipaddr from "ipaddr.js";
import { LRUCache } from "lru-cache";
import type pg from "pg";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";

export interface LimitSettings {
  /** Names the counts, and on PostgreSQL their table (created on first use). */
  name: string;
  points: number;
  windowMs: number;
  /** Most keys whose exhaustion this instance remembers (so it refuses them without asking the store). */
  maxKeys?: number;
}

/**
 * Counts per key (an account, a client address, a user) in a fixed window that starts at the key's
 * first count: take() reserves one count before the work it guards, so parallel requests cannot all
 * pass a check made before any of them is counted; the store's increment is atomic.
 */
export interface Limit {
  /** Counts one for the key: null while within the limit, else the seconds until it may try again. */
  take(key: string): Promise<number | null>;
  /** Seconds until the key may try again if this instance has seen it exhausted, else null. */
  blockedFor(key: string): number | null;
  /** Gives back the count taken for work that turned out not to be what the limit counts. */
  giveBack(key: string): Promise<void>;
  /** Forgets the key's counts (a success clears the failures before it). */
  clear(key: string): Promise<void>;
  /** Stops pushing counts to the store (a batched limit's timer). */
  close(): void;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));
// The PostgreSQL store's key column is varchar(255), with the limit's name in front; an email is
// any string until Better Auth has checked it.
const KEY_LENGTH_MAX = 200;
const storeKey = (key: string) => (key.length <= KEY_LENGTH_MAX ? key : createHash("sha256").update(key).digest("base64url"));

function storeLimiter(pool: pg.Pool | undefined, { name, points, windowMs }: LimitSettings): Promise<RateLimiterAbstract> {
  const duration = windowMs / 1000;
  if (!pool) return Promise.resolve(new RateLimiterMemory({ keyPrefix: name, points, duration }));
  return new Promise((resolve, reject) => {
    const limiter: RateLimiterPostgres = new RateLimiterPostgres(
      { storeClient: pool, storeType: "pool", tableName: name, keyPrefix: name, points, duration },
      (error?: Error) => (error ? reject(error) : resolve(limiter)),
    );
  });
}

/**
 * A limit whose counts live in PostgreSQL (the app's own pool) when the app runs on it, so every
 * instance of a cluster counts against the same numbers; in memory on the embedded database, which
 * one process holds by construction (the data-directory lock).
 */
export async function createLimit(pool: pg.Pool | undefined, settings: LimitSettings): Promise<Limit> {
  const limiter = await storeLimiter(pool, settings);
  // Keys known to be exhausted, until their window ends: refused again without a round trip.
  const exhausted = new LRUCache<string, number>({ max: settings.maxKeys ?? 100_000, ttlAutopurge: false });
  const exhaust = (key: string, msBeforeNext: number) => {
    if (msBeforeNext > 0) exhausted.set(key, Date.now() + msBeforeNext, { ttl: msBeforeNext });
  };
  const blockedFor = (key: string) => {
    const left = (exhausted.get(key) ?? 0) - Date.now();
    return left > 0 ? seconds(left) : null;
  };
  return {
    blockedFor,
    async take(key) {
      const known = blockedFor(key);
      if (known !== null) return known;
      try {
        const result = await limiter.consume(storeKey(key));
        if (result.remainingPoints === 0) exhaust(key, result.msBeforeNext);
        return null;
      } catch (refusal) {
        if (!(refusal instanceof RateLimiterRes)) throw refusal;
        exhaust(key, refusal.msBeforeNext);
        return seconds(refusal.msBeforeNext);
      }
    },
    async giveBack(key) {
      await limiter.reward(storeKey(key));
      exhausted.delete(key);
    },
    async clear(key) {
      await limiter.delete(storeKey(key));
      exhausted.delete(key);
    },
    close() {},
  };
}

/**
 * A limit decided in this instance's memory, whose counts are added to the shared store every
 * syncMs: no database round trip per request (every request of one user upserting one row
 * serialises them on its lock). The store's total marks a key exhausted here too, so the budget
 * holds across instances, give or take what each instance admits in one syncMs.
 */
export async function createBatchedLimit(pool: pg.Pool | undefined, settings: LimitSettings & { syncMs: number }): Promise<Limit> {
  const local = await createLimit(undefined, settings);
  if (!pool) return local;
  const shared = await storeLimiter(pool, settings);
  const exhausted = new LRUCache<string, number>({ max: settings.maxKeys ?? 100_000 });
  let pending = new Map<string, number>();
  const push = () => {
    const counts = pending;
    pending = new Map();
    for (const [key, count] of counts) {
      shared.penalty(storeKey(key), count).then(
        (total) => {
          if (total.consumedPoints >= settings.points && total.msBeforeNext > 0) {
            exhausted.set(key, Date.now() + total.msBeforeNext, { ttl: total.msBeforeNext });
          }
        },
        // A count the store missed (the database away) only loosens the shared budget for a moment;
        // this instance's own limit still holds.
        () => {},
      );
    }
  };
  const timer = setInterval(push, settings.syncMs);
  timer.unref();
  const blockedFor = (key: string) => {
    const left = (exhausted.get(key) ?? 0) - Date.now();
    return left > 0 ? seconds(left) : local.blockedFor(key);
  };
  return {
    blockedFor,
    async take(key) {
      const known = blockedFor(key);
      if (known !== null) return known;
      const wait = await local.take(key);
      if (wait === null) pending.set(key, (pending.get(key) ?? 0) + 1);
      return wait;
    },
    async giveBack(key) {
      await local.giveBack(key);
      const count = pending.get(key);
      if (count) pending.set(key, count - 1);
    },
    async clear(key) {
      await Promise.all([local.clear(key), shared.delete(storeKey(key))]);
      pending.delete(key);
      exhausted.delete(key);
    },
    close() {
      clearInterval(timer);
    },
  };
}

/**
 * The key a client address is limited by: an IPv4 address itself, an IPv6 address its /64 (one
 * customer's network; a host picks freely among its 2^64 addresses). IPv4-mapped IPv6 is IPv4.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  return `${new ipaddr.IPv6([...(parsed as ipaddr.IPv6).parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}
