import { createHash } from "node:crypto";
import { and, eq, gt, lte, sql } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { idempotencyKey } from "../db/schema/index.js";
import { createIdempotencyKeyReusedError, createMalformedIdempotencyKeyError } from "./tasks.errors.js";

const KEY = /^[\x21-\x7E]{1,255}$/;
const TTL = sql.raw("interval '24 hours'");
// Expired keys are deleted by the requests that store new ones, a bounded batch at a time, so no
// timer is needed and the table stays about one day of keys long.
const PURGE_BATCH = 100;
const ATTEMPTS = 3;
/**
 * The most keys one user keeps: each holds a whole answer (up to about 5 KB), so without a cap one
 * account could fill the table within the 24 hours. Older keys go first; a retry that old is rare.
 */
const KEYS_PER_USER = 1_000;

/** The first answer to a request, as stored and replayed. */
export interface StoredResponse {
  statusCode: number;
  response: unknown;
}

export interface Outcome extends StoredResponse {
  replayed: boolean;
}

/** An Idempotency-Key header: 1 to 255 visible ASCII characters, or a 400. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (!KEY.test(header)) throw createMalformedIdempotencyKeyError();
  return header;
}

/** What tells a retry from a different request under the same key: the values that would be stored. */
export function requestHash(values: unknown): string {
  return createHash("sha256").update(JSON.stringify(values)).digest("base64url");
}

class KeyTaken extends Error {}

export function createIdempotencyStore(db: Db, { keysPerUser = KEYS_PER_USER } = {}) {
  const live = (userId: string, key: string) =>
    and(eq(idempotencyKey.userId, userId), eq(idempotencyKey.key, key), gt(idempotencyKey.createdAt, sql`now() - ${TTL}`));

  async function stored(userId: string, key: string, hash: string): Promise<Outcome | undefined> {
    const [row] = await db.select().from(idempotencyKey).where(live(userId, key));
    if (!row) return undefined;
    if (row.requestHash !== hash) {
      throw createIdempotencyKeyReusedError();
    }
    return { statusCode: row.statusCode, response: row.response, replayed: true };
  }

  /** Runs `perform` and stores its answer in one transaction; the key's row commits with the write or neither does. */
  async function performOnce(userId: string, key: string, hash: string, perform: (tx: Db) => Promise<StoredResponse>) {
    return db.transaction(async (tx) => {
      await tx.execute(sql`
        DELETE FROM ${idempotencyKey} WHERE (user_id, key) IN (
          SELECT user_id, key FROM ${idempotencyKey} WHERE created_at <= now() - ${TTL}
          ORDER BY created_at LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)`);
      const answer = await perform(tx as unknown as Db);
      // A concurrent request with the same key waits here until the first commits, then conflicts.
      const [saved] = await tx
        .insert(idempotencyKey)
        .values({ userId, key, requestHash: hash, ...answer })
        .onConflictDoUpdate({
          target: [idempotencyKey.userId, idempotencyKey.key],
          set: { requestHash: hash, ...answer, createdAt: sql`now()` },
          setWhere: lte(idempotencyKey.createdAt, sql`now() - ${TTL}`),
        })
        .returning({ key: idempotencyKey.key });
      if (!saved) throw new KeyTaken();
      await tx.execute(sql`
        DELETE FROM ${idempotencyKey} WHERE user_id = ${userId} AND key IN (
          SELECT key FROM ${idempotencyKey} WHERE user_id = ${userId}
          ORDER BY created_at DESC, key OFFSET ${keysPerUser})`);
      return { ...answer, replayed: false };
    });
  }

  return {
    /**
     * The answer stored under this user's key within 24 hours, replayed; else `perform`'s, stored.
     * The same key with a different request is a 422.
     */
    async once(userId: string, key: string, hash: string, perform: (tx: Db) => Promise<StoredResponse>): Promise<Outcome> {
      for (let attempt = 1; ; attempt++) {
        const earlier = await stored(userId, key, hash);
        if (earlier) return earlier;
        try {
          return await performOnce(userId, key, hash, perform);
        } catch (error) {
          // Lost the race to a concurrent request with this key: this write is rolled back, and the
          // winner's answer (committed by now) is read on the next turn.
          if (!(error instanceof KeyTaken) || attempt === ATTEMPTS) throw error;
        }
      }
    },
  };
}
