import { and, asc, count, desc, eq, ilike, ne, or, type SQL, sql } from "drizzle-orm";
import type { TaskCounts, TaskSort, TaskStatus } from "../../shared/rules.js";
import type { Db } from "../db/database.js";
import { searchableText, task } from "../db/schema/index.js";
import type { CursorPosition } from "./cursor.js";
import type { CreateTaskBody, Task, UpdateTaskBody } from "./tasks.schemas.js";

export interface TaskListQuery {
  status: TaskStatus;
  search: string | undefined;
  sort: TaskSort;
  limit: number;
  after: CursorPosition | undefined;
}

export interface TaskPage {
  tasks: Task[];
  /** Where the next page starts, or undefined on the last page. */
  next: CursorPosition | undefined;
}

/** ISO 8601 in UTC with milliseconds, as Date.prototype.toISOString writes it. */
const isoText = (column: typeof task.createdAt) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A task as the API answers with it (tasks.schemas.ts's Task): the rows arrive with the API's field
 * names and the timestamps already as text, so they are answered as they come, with no mapping.
 */
const taskColumns = {
  id: task.id,
  user_id: task.userId,
  title: task.title,
  description: task.description,
  completed: task.completed,
  created_at: isoText(task.createdAt),
  updated_at: isoText(task.updatedAt),
};

/** The first key of the advisory locks that serialise one user's creates (the second is the user's). */
const TASK_QUOTA_LOCK = 15_006;

/** Parallel creates of one user that the quota's unlocked count allows for (tasks.repository create). */
const QUOTA_SLACK = 100;

/** taskColumns as a RETURNING list, for the create's raw statement (Drizzle's insert has no WHERE). */
const createdColumns = sql.join(
  Object.entries(taskColumns).map(([name, column]) => sql`${column} AS ${sql.identifier(name)}`),
  sql`, `,
);

interface NewTask {
  userId: string;
  title: string;
  description: string | null;
  completed: boolean;
}

/** Inserts the task only while the user holds fewer than `below` tasks. */
const countedInsert = ({ userId, title, description, completed }: NewTask, below: number) => sql`
  INSERT INTO ${task} (user_id, title, description, completed)
  SELECT ${userId}::text, ${title}::varchar, ${description}::varchar, ${completed}::boolean
  WHERE (SELECT count(*) FROM ${task} WHERE ${task.userId} = ${userId}::text) < ${below}
  RETURNING ${createdColumns}`;

/** Both drivers answer a raw statement with { rows }. */
const rowsOf = (result: unknown) => (result as { rows: Task[] }).rows;

// Each sort key is the leading column of an index that starts with user_id and ends with id. A
// cursor carries the key as text: the timestamps in the API's own format.
const SORT_KEYS = {
  created_at: { column: task.createdAt, key: isoText(task.createdAt), type: sql.raw("timestamptz") },
  updated_at: { column: task.updatedAt, key: isoText(task.updatedAt), type: sql.raw("timestamptz") },
  title: { column: sql`lower(${task.title})`, key: sql<string>`lower(${task.title})`, type: sql.raw("text") },
} as const;

// Strictly later than the previous value even within one millisecond, so a changed task always
// shows a changed updated_at.
const nextUpdatedAt = sql`greatest(clock_timestamp(), ${task.updatedAt} + interval '1 millisecond')`;

/** ILIKE treats % and _ as wildcards and \ as their escape; a search for them means them literally. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

const placeholder = sql.placeholder;
const UPDATABLE = ["title", "description", "completed"] as const;
const owned = and(eq(task.id, placeholder("id")), eq(task.userId, placeholder("userId")));
/**
 * A write's If-Match, checked by the write itself: with the version in the WHERE clause, of two
 * racing writes of one version the second re-checks the row the first left, and matches nothing.
 * Null (no If-Match, or "*") accepts any version; an empty list none.
 */
const ownedAt = and(
  owned,
  sql`(${placeholder("versions")}::timestamptz[] is null or ${task.updatedAt} = any(${placeholder("versions")}::timestamptz[]))`,
);
const versionsParam = (versions: Date[] | undefined) => versions?.map((version) => version.toISOString()) ?? null;

/**
 * A list query's shape, which names its prepared statement: every combination is one statement,
 * its values placeholders.
 */
function listShape(query: TaskListQuery): string {
  const sort = query.sort.startsWith("-") ? `${query.sort.slice(1)}_desc` : query.sort;
  return ["task_list", sort, query.status, query.search ? "search" : "", query.after ? "after" : ""].filter(Boolean).join("_");
}

/**
 * Named prepared statements, built once per name: PostgreSQL then parses and plans each once per
 * connection (docs/performance.md). A name must always stand for the same text, so names are made
 * from a query's shape, never from its values.
 */
function createStatementCache() {
  const statements = new Map<string, unknown>();
  return function prepared<T>(name: string, build: (name: string) => T): T {
    let statement = statements.get(name) as T | undefined;
    if (statement === undefined) {
      statement = build(name);
      statements.set(name, statement);
    }
    return statement;
  };
}

/** Data access for tasks. Every statement is scoped by the owner's id in its WHERE clause. */
export function createTaskRepository(db: Db) {
  const prepared = createStatementCache();

  function prepareList(query: TaskListQuery, name: string) {
    const descending = query.sort.startsWith("-");
    const { column, key, type } = SORT_KEYS[query.sort.replace("-", "") as keyof typeof SORT_KEYS];
    const conditions: (SQL | undefined)[] = [eq(task.userId, placeholder("userId"))];
    if (query.status !== "all") conditions.push(eq(task.completed, query.status === "completed"));
    if (query.search) {
      const pattern = placeholder("pattern");
      conditions.push(ilike(searchableText(task), pattern), or(ilike(task.title, pattern), ilike(task.description, pattern)));
    }
    if (query.after) {
      const comparison = sql.raw(descending ? "<" : ">");
      conditions.push(sql`(${column}, ${task.id}) ${comparison} (${placeholder("afterKey")}::${type}, ${placeholder("afterId")}::uuid)`);
    }
    const order = descending ? desc : asc;
    const ordering = [order(column), order(task.id)];
    const rows = db
      .select({
        ...taskColumns,
        created_at: isoText(task.createdAt).as("created_at"),
        updated_at: isoText(task.updatedAt).as("updated_at"),
        key: key.as("key"),
        n: sql<number>`row_number() over (order by ${sql.join(ordering, sql`, `)})`.as("n"),
      })
      .from(task)
      .where(and(...conditions))
      .orderBy(...ordering)
      .limit(placeholder("rowsToFetch"))
      .as("page_rows");
    const onPage = sql`${rows.n} <= ${placeholder("pageSize")}`;
    const last = sql`${rows.n} = ${placeholder("pageSize")}`;
    // The page comes back as one row holding its tasks as one JSON array: a row per task would cost
    // the driver a parse and Drizzle a mapping per task, the list's largest cost in Node
    // (docs/performance.md). The rows' extra columns (key, n) are left out by the response schema.
    return db
      .select({
        tasks: sql<Task[]>`coalesce(json_agg(${sql.identifier("page_rows")} order by ${rows.n}) filter (where ${onPage}), '[]')`,
        fetched: sql<number>`count(*)::int`,
        lastKey: sql<string | null>`max(${rows.key}) filter (where ${last})`,
        lastId: sql<string | null>`max(${rows.id}::text) filter (where ${last})`,
      })
      .from(rows)
      .prepare(name);
  }

  function prepareUpdate(fields: readonly (keyof UpdateTaskBody)[], name: string) {
    const changes = Object.fromEntries(fields.map((field) => [field, placeholder(field)]));
    return db
      .update(task)
      .set({ ...changes, updatedAt: nextUpdatedAt })
      .where(ownedAt)
      .returning(taskColumns)
      .prepare(name);
  }

  return {
    async list(userId: string, query: TaskListQuery): Promise<TaskPage> {
      const [page] = await prepared(listShape(query), (name) => prepareList(query, name)).execute({
        userId,
        pattern: query.search ? likePattern(query.search) : undefined,
        afterKey: query.after?.key,
        afterId: query.after?.id,
        pageSize: query.limit,
        // One more row than the page holds tells whether another page follows.
        rowsToFetch: query.limit + 1,
      });
      const { tasks, fetched, lastKey, lastId } = page!;
      const more = fetched > query.limit && lastKey !== null && lastId !== null;
      return { tasks, next: more ? { key: lastKey, id: lastId } : undefined };
    },

    /**
     * The new task, or undefined when the user already holds maxTasks. Far from the maximum, one
     * statement counts and inserts; parallel creates each count without the others' rows, so that
     * count stops QUOTA_SLACK short of it. Within QUOTA_SLACK of it, creates of one user queue on a
     * transaction-scoped advisory lock and count after taking it (a statement's snapshot starts with
     * it), so parallel creates, on any number of instances, never take a user past maxTasks while
     * fewer than QUOTA_SLACK of them are in flight at once (each instance's pool allows 10 by default).
     */
    async create(userId: string, input: CreateTaskBody, maxTasks: number): Promise<Task | undefined> {
      const values = { userId, title: input.title, description: input.description ?? null, completed: input.completed ?? false };
      const [created] = rowsOf(await db.execute(countedInsert(values, maxTasks - QUOTA_SLACK)));
      if (created) return created;
      return db.transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_advisory_xact_lock(${TASK_QUOTA_LOCK}, hashtext(${userId}))`);
        const [row] = rowsOf(await tx.execute(countedInsert(values, maxTasks)));
        return row;
      });
    },

    async get(userId: string, id: string): Promise<Task | undefined> {
      const statement = prepared("task_get", (name) => db.select(taskColumns).from(task).where(owned).prepare(name));
      const [row] = await statement.execute({ userId, id });
      return row;
    },

    /** Undefined when no task of this user has the id, or (with versions) none at one of them. */
    async update(userId: string, id: string, changes: UpdateTaskBody, versions?: Date[]): Promise<Task | undefined> {
      const fields = UPDATABLE.filter((field) => changes[field] !== undefined);
      const statement = prepared(`task_update_${fields.map((field) => field[0]).join("")}`, (name) => prepareUpdate(fields, name));
      const [row] = await statement.execute({ ...changes, userId, id, versions: versionsParam(versions) });
      return row;
    },

    /** Sets completed, or flips it in the same statement when no value is given (atomic under concurrency). */
    async complete(userId: string, id: string, completed: boolean | undefined, versions?: Date[]): Promise<Task | undefined> {
      const statement = prepared("task_complete", (name) =>
        db
          .update(task)
          .set({ completed: sql`coalesce(${placeholder("completed")}::boolean, NOT ${task.completed})`, updatedAt: nextUpdatedAt })
          .where(ownedAt)
          .returning(taskColumns)
          .prepare(name),
      );
      const [row] = await statement.execute({ userId, id, completed: completed ?? null, versions: versionsParam(versions) });
      return row;
    },

    /** The id of the deleted task, or undefined when there was none to delete. */
    async remove(userId: string, id: string, versions?: Date[]): Promise<string | undefined> {
      const statement = prepared("task_remove", (name) => db.delete(task).where(ownedAt).returning({ id: task.id }).prepare(name));
      const [row] = await statement.execute({ userId, id, versions: versionsParam(versions) });
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
      const changed = db.$with("changed").as(
        db
          .update(task)
          .set({ completed, updatedAt: nextUpdatedAt })
          .where(and(eq(task.userId, userId), ne(task.completed, completed)))
          .returning({ id: task.id }),
      );
      const [row] = await db.with(changed).select({ n: count() }).from(changed);
      return row!.n;
    },

    async counts(userId: string): Promise<TaskCounts> {
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
  };
}
