import type { BetterAuthPlugin } from "better-auth";
import { createAuthMiddleware } from "better-auth/api";
import { gt, lt, sql } from "drizzle-orm";
import type { FastifyBaseLogger } from "fastify";
import type { Db } from "../db/database.js";
import { tokenRevocation } from "../db/schema/index.js";

export interface TokenRevocationSettings {
  db: Db;
  log: FastifyBaseLogger;
  /** How often this instance reads the revocations written by every instance. */
  refreshIntervalMs?: number;
  /** The longest a bearer token lives (its maxTokenAge, plus the verifier's clock tolerance). */
  tokenLifetimeMs?: number;
}

// Rows are read again for this long after the newest one seen: a row whose insert committed after a
// later-stamped one (now() is the transaction's start) is still picked up.
const READ_OVERLAP_MS = 10_000;
const PRUNE_INTERVAL_MS = 60_000;

/**
 * Which bearer tokens were revoked before they expired, as every instance sees it within one refresh
 * interval, without a database round trip per request: one query per interval reads the rows newer
 * than the last seen into memory. The instance that revokes knows at once.
 */
export function createTokenRevocations({ db, log, refreshIntervalMs = 1_000, tokenLifetimeMs = 15 * 60_000 + 5_000 }: TokenRevocationSettings) {
  /** Session id or user id, to when it was revoked (the database's clock, in milliseconds). */
  const sessions = new Map<string, number>();
  const users = new Map<string, number>();
  let newestSeen: Date | undefined;
  let lastPrune = 0;
  let timer: NodeJS.Timeout | undefined;
  let refreshing: Promise<void> | undefined;

  function remember(userId: string, sessionId: string | null, revokedAt: number) {
    if (sessionId === null) users.set(userId, revokedAt);
    else sessions.set(sessionId, revokedAt);
  }

  /** Entries older than any token they could refuse are forgotten, in memory and in the table. */
  async function prune() {
    const cutoff = Date.now() - tokenLifetimeMs - READ_OVERLAP_MS;
    for (const entries of [sessions, users]) {
      for (const [id, revokedAt] of entries) if (revokedAt < cutoff) entries.delete(id);
    }
    await db
      .delete(tokenRevocation)
      .where(lt(tokenRevocation.revokedAt, sql`now() - make_interval(secs => ${(tokenLifetimeMs + READ_OVERLAP_MS) / 1000})`));
  }

  async function load() {
    // Until a first row is seen, the window is every row still in force (an index range, empty or small).
    const since = newestSeen
      ? sql`${new Date(newestSeen.getTime() - READ_OVERLAP_MS).toISOString()}::timestamptz`
      : sql`now() - make_interval(secs => ${(tokenLifetimeMs + READ_OVERLAP_MS) / 1000})`;
    const rows = await db
      .select({ userId: tokenRevocation.userId, sessionId: tokenRevocation.sessionId, revokedAt: tokenRevocation.revokedAt })
      .from(tokenRevocation)
      .where(gt(tokenRevocation.revokedAt, since));
    for (const row of rows) {
      remember(row.userId, row.sessionId, row.revokedAt.getTime());
      if (!newestSeen || row.revokedAt > newestSeen) newestSeen = row.revokedAt;
    }
    if (Date.now() - lastPrune > PRUNE_INTERVAL_MS) {
      lastPrune = Date.now();
      await prune();
    }
  }

  /** Reads what other instances revoked; concurrent calls share one query. */
  function refresh(): Promise<void> {
    refreshing ??= load().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  }

  async function record(userId: string, sessionId: string | null) {
    const [row] = await db.insert(tokenRevocation).values({ userId, sessionId }).returning({ revokedAt: tokenRevocation.revokedAt });
    remember(userId, sessionId, row!.revokedAt.getTime());
  }

  return {
    /** Every token minted for this session stops working (the session has ended: no new ones come). */
    revokeSession: (userId: string, sessionId: string) => record(userId, sessionId),
    /** Every token of this user stops working (the account is gone: its id never returns). */
    revokeUser: (userId: string) => record(userId, null),
    isRevoked: (userId: string, sessionId: string) => sessions.has(sessionId) || users.has(userId),
    /** Loads the revocations still in force, then keeps reading new ones until stop(). */
    async start() {
      await refresh();
      timer = setInterval(() => {
        refresh().catch((error: unknown) => log.warn({ err: error }, "could not read token revocations"));
      }, refreshIntervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await refreshing?.catch(() => {});
    },
  };
}

export type TokenRevocations = ReturnType<typeof createTokenRevocations>;

/**
 * Ends bearer tokens with the sessions they were minted for. Better Auth deletes the session rows on
 * sign-out, on revoking sessions, on a password change or reset and on account deletion; each deleted
 * row, after its transaction commits, is recorded here. A password change always ends the other
 * sessions, whatever the client asked: whoever knew the old password may hold one of them.
 */
export function tokenRevocationPlugin(revocations: TokenRevocations) {
  return {
    id: "token-revocation",
    init: () => ({
      options: {
        databaseHooks: {
          session: { delete: { after: async (session: { id: string; userId: string }) => revocations.revokeSession(session.userId, session.id) } },
          // The user row goes first and its sessions with it (ON DELETE CASCADE), without session hooks.
          user: { delete: { after: async (deleted: { id: string }) => revocations.revokeUser(deleted.id) } },
        },
      },
    }),
    hooks: {
      before: [
        {
          matcher: (context) => context.path === "/change-password",
          handler: createAuthMiddleware(async (context) => ({
            context: { body: { ...(context.body as Record<string, unknown>), revokeOtherSessions: true } },
          })),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
