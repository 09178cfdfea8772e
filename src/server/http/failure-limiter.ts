import { LRUCache } from "lru-cache";

/**
 * Failures per key (an account's key, a client address) in a fixed window; past the maximum the
 * key waits out the window. Counts live in this instance's memory (each instance of a cluster
 * counts on its own), at most maxKeys of them, so junk keys cannot grow it without limit: the
 * least recently seen make room.
 */
export interface FailureLimiterSettings {
  maxFailures: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

export function createFailureLimiter({ maxFailures, windowMs, maxKeys = 100_000, now = Date.now }: FailureLimiterSettings) {
  // The window starts at a key's first failure: later failures count without moving it. lru-cache
  // keeps an entry while its age is at most ttl; the window is over once windowMs have passed.
  const failures = new LRUCache<string, { count: number }>({ max: maxKeys, ttl: windowMs - 1, ttlResolution: 0, perf: { now } });

  return {
    /** Seconds until this key may try again, or null when it may try now. */
    retryAfter(key: string): number | null {
      const entry = failures.get(key);
      if (!entry || entry.count < maxFailures) return null;
      return Math.max(1, Math.ceil(failures.getRemainingTTL(key) / 1000));
    },
    failed(key: string) {
      const entry = failures.get(key);
      if (entry) entry.count += 1;
      else failures.set(key, { count: 1 });
    },
    succeeded(key: string) {
      failures.delete(key);
    },
  };
}

export type FailureLimiter = ReturnType<typeof createFailureLimiter>;
