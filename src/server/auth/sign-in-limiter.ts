/**
 * Failed sign-ins per account. Better Auth limits sign-in per client address only, so a password
 * guesser that rotates addresses would never be slowed; this counts failures per normalised email,
 * whatever address they come from. Counts live in this instance's memory (each instance of a
 * cluster counts on its own), bounded in size so junk emails cannot grow it without limit.
 */
export interface SignInLimiterSettings {
  maxFailures: number;
  windowMs: number;
  maxAccounts?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  /** When the first failure of the current window happened. */
  since: number;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function createSignInLimiter({ maxFailures, windowMs, maxAccounts = 100_000, now = Date.now }: SignInLimiterSettings) {
  const failures = new Map<string, Failures>();

  function current(email: string): Failures | undefined {
    const entry = failures.get(email);
    if (entry && now() - entry.since >= windowMs) {
      failures.delete(email);
      return undefined;
    }
    return entry;
  }

  function prune() {
    for (const [email, entry] of failures) if (now() - entry.since >= windowMs) failures.delete(email);
    // Still full: the oldest entries (Map keeps insertion order) make room.
    for (const email of failures.keys()) {
      if (failures.size < maxAccounts) break;
      failures.delete(email);
    }
  }

  return {
    /** Seconds until this account may try again, or null when it may try now. */
    retryAfter(email: string): number | null {
      const entry = current(normalizeEmail(email));
      if (!entry || entry.count < maxFailures) return null;
      return Math.max(1, Math.ceil((entry.since + windowMs - now()) / 1000));
    },
    failed(email: string) {
      const key = normalizeEmail(email);
      const entry = current(key);
      if (entry) {
        entry.count += 1;
        return;
      }
      if (failures.size >= maxAccounts) prune();
      failures.set(key, { count: 1, since: now() });
    },
    succeeded(email: string) {
      failures.delete(normalizeEmail(email));
    },
  };
}

export type SignInLimiter = ReturnType<typeof createSignInLimiter>;
