import { sql } from "drizzle-orm";
import { type AnyPgColumn, boolean, check, index, pgTable, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";
import { user } from "./auth.js";

// Millisecond precision in the database too: the API and the keyset cursors speak milliseconds, so
// a stored value must round-trip exactly or paging could skip rows that differ below a millisecond.
const timestampMs = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * Title and description as one text, which the search index holds. Whatever matches either field
 * matches this, so a search narrows by it through the index, then checks the fields themselves.
 */
export const searchableText = (t: { title: AnyPgColumn; description: AnyPgColumn }) => sql`(${t.title} || ' ' || coalesce(${t.description}, ''))`;

export const task = pgTable(
  "task",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    title: varchar("title", { length: 200 }).notNull(),
    description: varchar("description", { length: 1000 }),
    completed: boolean("completed").notNull().default(false),
    createdAt: timestampMs("created_at").notNull().defaultNow(),
    updatedAt: timestampMs("updated_at").notNull().defaultNow(),
  },
  (t) => [
    check("task_title_length", sql`char_length(${t.title}) BETWEEN 1 AND 200`),
    // Only what never changes on a toggle is indexed: a toggle (completed and updated_at) is then a
    // HOT update, with no new entry in any index, so toggling does not bloat the indexes even with no
    // autovacuum running, and the list keeps its speed (docs/database.md). Each index ends in id for
    // the keyset tie-break. A status filter reads the sort order's index and skips the other state;
    // updated_at pages are sorted from the user's rows. No lone user_id index: these serve every
    // query it could.
    index("task_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("task_user_title_idx").on(t.userId, sql`lower(${t.title})`, t.id),
    // Search is ILIKE '%term%' on title or description: only a trigram index serves a leading wildcard
    // (pg_trgm, migration 0002). One index over both fields: a row's one insert instead of two on
    // every create and edit (docs/performance.md). docs/database.md has the plans.
    index("task_search_trgm_idx").using("gin", sql`${searchableText(t)} gin_trgm_ops`),
  ],
);

export type TaskRow = typeof task.$inferSelect;
