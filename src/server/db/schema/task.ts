import { sql } from "drizzle-orm";
import { boolean, check, index, pgTable, text, timestamp, uuid, varchar } from "drizzle-orm/pg-core";
import { user } from "./auth.js";

// Millisecond precision in the database too: the API and the keyset cursors speak milliseconds, so
// a stored value must round-trip exactly or paging could skip rows that differ below a millisecond.
const timestampMs = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

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
    // One index per sort order, and one per sort order under a status filter, each ending in id for
    // the keyset tie-break: every list page is a range scan, however a user's tasks are split between
    // done and not done. No lone user_id index: these serve every query it could (docs/database.md).
    index("task_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("task_user_updated_idx").on(t.userId, t.updatedAt, t.id),
    index("task_user_title_idx").on(t.userId, sql`lower(${t.title})`, t.id),
    index("task_user_completed_created_idx").on(t.userId, t.completed, t.createdAt, t.id),
    index("task_user_completed_updated_idx").on(t.userId, t.completed, t.updatedAt, t.id),
    index("task_user_completed_title_idx").on(t.userId, t.completed, sql`lower(${t.title})`, t.id),
    // Search is ILIKE '%term%' on title or description: only trigram indexes serve a leading wildcard
    // (pg_trgm, created in migration 0002). docs/performance.md has the plans.
    index("task_title_trgm_idx").using("gin", t.title.op("gin_trgm_ops")),
    index("task_description_trgm_idx").using("gin", t.description.op("gin_trgm_ops")),
  ],
);

export type TaskRow = typeof task.$inferSelect;
