import { sql } from "drizzle-orm";
import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Bearer tokens that must stop working before they expire: every token of a session that was ended
 * (sign-out, revoked, password changed or reset), or every token of a deleted user (session_id null).
 * Every instance reads the rows newer than the last it saw; rows older than a token's longest life
 * are deleted. No foreign key: the row must outlive the session and the user it names.
 */
export const tokenRevocation = pgTable(
  "token_revocation",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text("user_id").notNull(),
    sessionId: text("session_id"),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }).notNull().default(sql`now()`),
  },
  (t) => [index("token_revocation_revoked_at_idx").on(t.revokedAt)],
);
