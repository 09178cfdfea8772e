import { and, asc, count, desc, eq, getTableColumns, ilike, inArray, ne, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { task, user, type TaskRow } from "../db/schema/index.js";
import type { CursorPosition } from "./cursor.js";
import type { CreateTaskBody, TaskSort, TaskStatus, UpdateTaskBody } from "./tasks.schemas.js";

export interface TaskListQuery {
  status: TaskStatus;
  search: string | undefined;
  sort: TaskSort;
  limit: number;
  after: CursorPosition | undefined;
}

export interface TaskPage {
  rows: TaskRow[];
  /** Where the next page starts, or undefined on the last page. */
  next: CursorPosition | undefined;
}


// Each sort key is the leading column of an index that starts with user_id and ends with id.
const SORT_KEYS = {
  created_at: { column: task.createdAt, type: sql.raw("timestamptz") },
  updated_at: { column: task.updatedAt, type: sql.raw("timestamptz") },
  title: { column: sql`lower(${task.title})`, type: sql.raw("text") },
} as const;

const columns = { ...getTableColumns(task), titleKey: sql<string>`lower(${task.title})` };

// Strictly later than the previous value even within one millisecond, so a changed task always
// shows a changed updated_at.
const nextUpdatedAt = sql`greatest(clock_timestamp(), ${task.updatedAt} + interval '1 millisecond')`;

/** ILIKE treats % and _ as wildcards and \ as their escape; a search for them means them literally. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function sortKeyOf(row: TaskRow & { titleKey: string }, sort: TaskSort): string {
  const field = sort.replace("-", "");
  if (field === "title") return row.titleKey;
  return (field === "updated_at" ? row.updatedAt : row.createdAt).toISOString();
}

/** Data access for tasks. Every statement is scoped by the owner's id in its WHERE clause. */
export function createTaskRepository(db: Db) {
  const owned = (userId: string, id: string) => and(eq(task.id, id), eq(task.userId, userId));
  /**
   * A write's If-Match, checked by the write itself: with the version in the WHERE clause, of two
   * racing writes of one version the second re-checks the row the first left, and matches nothing.
   */
  const ownedAt = (userId: string, id: string, versions: Date[] | undefined) =>
    versions === undefined
      ? owned(userId, id)
      : and(owned(userId, id), versions.length > 0 ? inArray(task.updatedAt, versions) : sql`false`);

  return {
    async list(userId: string, query: TaskListQuery): Promise<TaskPage> {
      const descending = query.sort.startsWith("-");
      const { column, type } = SORT_KEYS[query.sort.replace("-", "") as keyof typeof SORT_KEYS];
      const conditions: (SQL | undefined)[] = [eq(task.userId, userId)];
      if (query.status !== "all") conditions.push(eq(task.completed, query.status === "completed"));
      if (query.search) {
        const pattern = likePattern(query.search);
        conditions.push(or(ilike(task.title, pattern), ilike(task.description, pattern)));
      }
      if (query.after) {
        const comparison = sql.raw(descending ? "<" : ">");
        conditions.push(sql`(${column}, ${task.id}) ${comparison} (${query.after.key}::${type}, ${query.after.id}::uuid)`);
      }
      const order = descending ? desc : asc;
      const rows = await db
        .select(columns)
        .from(task)
        .where(and(...conditions))
        .orderBy(order(column), order(task.id))
        .limit(query.limit + 1);
      const hasMore = rows.length > query.limit;
      const page = hasMore ? rows.slice(0, query.limit) : rows;
      const last = page.at(-1);
      return {
        rows: page,
        next: hasMore && last ? { key: sortKeyOf(last, query.sort), id: last.id } : undefined,
      };
    },

    async create(userId: string, input: CreateTaskBody): Promise<TaskRow> {
      const [row] = await db
        .insert(task)
        .values({ userId, title: input.title, description: input.description ?? null, completed: input.completed ?? false })
        .returning();
      return row!;
    },

    async get(userId: string, id: string): Promise<TaskRow | undefined> {
      const [row] = await db.select().from(task).where(owned(userId, id));
      return row;
    },

    async update(userId: string, id: string, changes: UpdateTaskBody, versions?: Date[]): Promise<TaskRow | undefined> {
      const [row] = await db
        .update(task)
        .set({ ...changes, updatedAt: nextUpdatedAt })
        .where(ownedAt(userId, id, versions))
        .returning();
      return row;
    },

    /** Sets completed, or flips it in the same statement when no value is given (atomic under concurrency). */
    async complete(userId: string, id: string, completed: boolean | undefined, versions?: Date[]): Promise<TaskRow | undefined> {
      const [row] = await db
        .update(task)
        .set({ completed: completed ?? sql`NOT ${task.completed}`, updatedAt: nextUpdatedAt })
        .where(ownedAt(userId, id, versions))
        .returning();
      return row;
    },

    /** The id of the deleted task, or undefined when there was none to delete. */
    async remove(userId: string, id: string, versions?: Date[]): Promise<string | undefined> {
      const [row] = await db.delete(task).where(ownedAt(userId, id, versions)).returning({ id: task.id });
      return row?.id;
    },

    /** Deletes every task of the user in that state (all of them for "all"), in one statement. */
    async removeByStatus(userId: string, status: TaskStatus): Promise<number> {
      const where = status === "all" ? eq(task.userId, userId) : and(eq(task.userId, userId), eq(task.completed, status === "completed"));
      const deleted = db.$with("deleted").as(db.delete(task).where(where).returning({ id: task.id }));
      const [row] = await db.with(deleted).select({ n: count() }).from(deleted);
      return row!.n;
    },

    /** Sets completed on every task of the user, in one statement; only rows that change are touched. */
    async completeAll(userId: string, completed: boolean): Promise<number> {
      const changed = db
        .$with("changed")
        .as(
          db
            .update(task)
            .set({ completed, updatedAt: nextUpdatedAt })
            .where(and(eq(task.userId, userId), ne(task.completed, completed)))
            .returning({ id: task.id }),
        );
      const [row] = await db.with(changed).select({ n: count() }).from(changed);
      return row!.n;
    },

    async counts(userId: string): Promise<{ all: number; pending: number; completed: number }> {
      const [row] = await db
        .select({
          all: count(),
          pending: sql<number>`count(*) filter (where not ${task.completed})`.mapWith(Number),
          completed: sql<number>`count(*) filter (where ${task.completed})`.mapWith(Number),
        })
        .from(task)
        .where(eq(task.userId, userId));
      return row!;
    },

    /** Only asked when a statement found nothing: a bearer token can outlive its deleted user. */
    async userExists(userId: string): Promise<boolean> {
      const rows = await db.select({ id: user.id }).from(user).where(eq(user.id, userId));
      return rows.length > 0;
    },
  };
}

export type TaskRepository = ReturnType<typeof createTaskRepository>;
