import { and, asc, count, desc, eq, ilike, inArray, ne, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { searchableText, task, user } from "../db/schema/index.js";
import type { CursorPosition } from "./cursor.js";
import type { CreateTaskBody, TaskSort, TaskStatus, UpdateTaskBody } from "./tasks.schemas.js";

export interface TaskListQuery {
  status: TaskStatus;
  search: string | undefined;
  sort: TaskSort;
  limit: number;
  after: CursorPosition | undefined;
}

/**
 * One task as the API answers with it, written by PostgreSQL: its JSON, and what the routes need
 * besides (its version for the ETag, etag.ts; its state for the message).
 */
export interface TaskAnswer {
  id: string;
  json: string;
  updated_at: string;
  completed: boolean;
}

export interface TaskPage {
  /** The page's tasks as the API's JSON (tasks.schemas.ts's Task), comma-separated: an array's inside. */
  json: string;
  count: number;
  /** Where the next page starts, or undefined on the last page. */
  next: CursorPosition | undefined;
}


/** ISO 8601 in UTC with milliseconds, as Date.prototype.toISOString writes it. */
const isoText = (column: typeof task.createdAt) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * A task as the API's JSON text, written by PostgreSQL: the bytes JSON.stringify gives for
 * tasks.schemas.ts's Task, fields in its order (tested). A list page is then joined into the
 * response, not parsed into rows and objects and serialized again: the list's largest cost in
 * Node, and most of its garbage (docs/performance.md).
 */
const taskJson = sql<string>`'{"id":"' || ${task.id} || '","user_id":' || to_json(${task.userId}) || ',"title":' || to_json(${task.title}) || ',"description":' || coalesce(to_json(${task.description})::text, 'null') || ',"completed":' || ${task.completed} || ',"created_at":"' || ${isoText(task.createdAt)} || '","updated_at":"' || ${isoText(task.updatedAt)} || '"}'`;

const taskAnswer = {
  id: task.id,
  json: taskJson,
  updated_at: isoText(task.updatedAt),
  completed: task.completed,
};

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
const ownedPlaceholders = and(eq(task.id, placeholder("id")), eq(task.userId, placeholder("userId")));

/**
 * A list query's shape, which names its prepared statement: every combination is one statement,
 * its values placeholders. The same shape always gives the same name and text, as PostgreSQL's
 * per-connection statement names require.
 */
function listShape(query: TaskListQuery): string {
  const sort = query.sort.startsWith("-") ? `${query.sort.slice(1)}_desc` : query.sort;
  return ["task_list", sort, query.status, query.search ? "search" : "", query.after ? "after" : ""].filter(Boolean).join("_");
}

/**
 * Data access for tasks. Every statement is scoped by the owner's id in its WHERE clause. The hot
 * statements are prepared once per shape (named, so PostgreSQL parses and plans them once per
 * connection) and run with placeholders: measured in docs/performance.md.
 */
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

  const listStatements = new Map<string, ReturnType<typeof prepareList>>();
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
    // One more row than the page holds tells whether another page follows.
    const rows = db
      .select({ json: taskJson.as("json"), key: key.as("key"), id: task.id, n: sql<number>`row_number() over (order by ${sql.join(ordering, sql`, `)})`.as("n") })
      .from(task)
      .where(and(...conditions))
      .orderBy(...ordering)
      .limit(placeholder("rowsToFetch"))
      .as("page_rows");
    const onPage = sql`${rows.n} <= ${placeholder("pageSize")}`;
    const last = sql`${rows.n} = ${placeholder("pageSize")}`;
    // The page comes back as one row: its JSON joined in order, how many rows there were, and the
    // last task's sort key and id for the cursor. One row instead of a row per task spares the
    // driver and Drizzle a parse and a mapping per task (docs/performance.md).
    return db
      .select({
        json: sql<string>`coalesce(string_agg(${rows.json}, ',' order by ${rows.n}) filter (where ${onPage}), '')`,
        fetched: sql<number>`count(*)::int`,
        lastKey: sql<string | null>`max(${rows.key}) filter (where ${last})`,
        lastId: sql<string | null>`max(${rows.id}::text) filter (where ${last})`,
      })
      .from(rows)
      .prepare(name);
  }

  const getStatement = db.select(taskAnswer).from(task).where(ownedPlaceholders).prepare("task_get");
  const createStatement = db
    .insert(task)
    .values({ userId: placeholder("userId"), title: placeholder("title"), description: placeholder("description"), completed: placeholder("completed") })
    .returning(taskAnswer)
    .prepare("task_create");
  const toggleStatement = db
    .update(task)
    .set({ completed: sql`NOT ${task.completed}`, updatedAt: nextUpdatedAt })
    .where(ownedPlaceholders)
    .returning(taskAnswer)
    .prepare("task_toggle");
  const removeStatement = db.delete(task).where(ownedPlaceholders).returning({ id: task.id }).prepare("task_remove");
  // One per set of changed fields (at most seven), indexed by the set as bits of UPDATABLE.
  const updateStatements: ReturnType<typeof prepareUpdate>[] = [];
  function prepareUpdate(fields: readonly (keyof UpdateTaskBody)[], name: string) {
    const changes = Object.fromEntries(fields.map((field) => [field, placeholder(field)]));
    return db
      .update(task)
      .set({ ...changes, updatedAt: nextUpdatedAt })
      .where(ownedPlaceholders)
      .returning(taskAnswer)
      .prepare(name);
  }

  return {
    async list(userId: string, query: TaskListQuery): Promise<TaskPage> {
      const shape = listShape(query);
      let statement = listStatements.get(shape);
      if (!statement) {
        statement = prepareList(query, shape);
        listStatements.set(shape, statement);
      }
      const [page] = await statement.execute({
        userId,
        pattern: query.search ? likePattern(query.search) : undefined,
        afterKey: query.after?.key,
        afterId: query.after?.id,
        pageSize: query.limit,
        rowsToFetch: query.limit + 1,
      });
      const { json, fetched, lastKey, lastId } = page!;
      return {
        json,
        count: Math.min(fetched, query.limit),
        next: fetched > query.limit && lastKey !== null && lastId !== null ? { key: lastKey, id: lastId } : undefined,
      };
    },

    async create(userId: string, input: CreateTaskBody): Promise<TaskAnswer> {
      const [row] = await createStatement.execute({
        userId,
        title: input.title,
        description: input.description ?? null,
        completed: input.completed ?? false,
      });
      return row!;
    },

    async get(userId: string, id: string): Promise<TaskAnswer | undefined> {
      const [row] = await getStatement.execute({ userId, id });
      return row;
    },

    async update(userId: string, id: string, changes: UpdateTaskBody, versions?: Date[]): Promise<TaskAnswer | undefined> {
      if (versions !== undefined) {
        const [row] = await db
          .update(task)
          .set({ ...changes, updatedAt: nextUpdatedAt })
          .where(ownedAt(userId, id, versions))
          .returning(taskAnswer);
        return row;
      }
      const shape = UPDATABLE.reduce((bits, field, bit) => (changes[field] === undefined ? bits : bits | (1 << bit)), 0);
      let statement = updateStatements[shape];
      if (!statement) {
        const fields = UPDATABLE.filter((field) => changes[field] !== undefined);
        statement = prepareUpdate(fields, `task_update_${fields.map((field) => field[0]).join("")}`);
        updateStatements[shape] = statement;
      }
      const [row] = await statement.execute({ ...changes, userId, id });
      return row;
    },

    /** Sets completed, or flips it in the same statement when no value is given (atomic under concurrency). */
    async complete(userId: string, id: string, completed: boolean | undefined, versions?: Date[]): Promise<TaskAnswer | undefined> {
      if (completed === undefined && versions === undefined) return (await toggleStatement.execute({ userId, id }))[0];
      const [row] = await db
        .update(task)
        .set({ completed: completed ?? sql`NOT ${task.completed}`, updatedAt: nextUpdatedAt })
        .where(ownedAt(userId, id, versions))
        .returning(taskAnswer);
      return row;
    },

    /** The id of the deleted task, or undefined when there was none to delete. */
    async remove(userId: string, id: string, versions?: Date[]): Promise<string | undefined> {
      const [row] =
        versions === undefined
          ? await removeStatement.execute({ userId, id })
          : await db.delete(task).where(ownedAt(userId, id, versions)).returning({ id: task.id });
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
