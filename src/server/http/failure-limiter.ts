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
