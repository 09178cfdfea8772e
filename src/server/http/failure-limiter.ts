/**
 * Failures per key (an account's key, a client address) in a fixed window; past the maximum the
 * key waits out the window. Counts live in this instance's memory (each instance of a cluster
 * counts on its own), bounded in size so junk keys cannot grow it without limit.
 */
export interface FailureLimiterSettings {
  maxFailures: number;
  windowMs: number;
  maxKeys?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  /** When the first failure of the current window happened. */
  since: number;
}

export function createFailureLimiter({ maxFailures, windowMs, maxKeys = 100_000, now = Date.now }: FailureLimiterSettings) {
  const failures = new Map<string, Failures>();

  function current(key: string): Failures | undefined {
    const entry = failures.get(key);
    if (entry && now() - entry.since >= windowMs) {
      failures.delete(key);
      return undefined;
    }
    return entry;
  }

  function prune() {
    for (const [key, entry] of failures) if (now() - entry.since >= windowMs) failures.delete(key);
    // Still full: the oldest entries (Map keeps insertion order) make room.
    for (const key of failures.keys()) {
      if (failures.size < maxKeys) break;
      failures.delete(key);
    }
  }

  return {
    /** Seconds until this key may try again, or null when it may try now. */
    retryAfter(key: string): number | null {
      const entry = current(key);
      if (!entry || entry.count < maxFailures) return null;
      return Math.max(1, Math.ceil((entry.since + windowMs - now()) / 1000));
    },
    failed(key: string) {
      const entry = current(key);
      if (entry) {
        entry.count += 1;
        return;
      }
      if (failures.size >= maxKeys) prune();
      failures.set(key, { count: 1, since: now() });
    },
    succeeded(key: string) {
      failures.delete(key);
    },
  };
}

export type FailureLimiter = ReturnType<typeof createFailureLimiter>;
