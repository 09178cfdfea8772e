import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { DEFAULT_SORT, DEFAULT_STATUS, PAGE_SIZE_DEFAULT } from "../../shared/rules.js";
import { refuseMethods } from "../plugins/not-found.js";
import type { CursorCodec } from "./cursor.js";
import { etagOf, expectedVersions, isNotModified } from "./etag.js";
import { createIdempotencyStore, parseIdempotencyKey, requestHash } from "./idempotency.js";
import { createTaskChangedError, createTaskNotFoundError, createTaskQuotaExceededError } from "./tasks.errors.js";
import { createTaskRepository } from "./tasks.repository.js";
import {
  countTasksSchema,
  createTaskSchema,
  deleteTaskSchema,
  deleteTasksByStatusSchema,
  getTaskSchema,
  listTasksSchema,
  replaceTaskSchema,
  setAllTasksCompletionSchema,
  setTaskCompletionSchema,
  type Task,
  updateTaskSchema,
} from "./tasks.schemas.js";

export interface TasksRoutesOptions {
  cursors: CursorCodec;
  /** The most tasks one user may hold (TASKS_PER_USER_MAX). */
  tasksPerUserMax: number;
}

/**
 * The contract trims titles and stores "" descriptions as null; doing it before validation lets the
 * schema judge the text that will actually be stored (a padded 200-character title is fine).
 */
function normalizeTaskBody(request: FastifyRequest, _reply: FastifyReply, done: () => void) {
  const body = request.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return done();
  const fields = body as Record<string, unknown>;
  if (typeof fields.title === "string") fields.title = fields.title.trim();
  if (fields.description === "") fields.description = null;
  done();
}

const taskPath = (userId: string, taskId: string) => `/api/${encodeURIComponent(userId)}/tasks/${taskId}`;

const tasksText = (n: number) => `${n} ${n === 1 ? "task" : "tasks"}`;

/** A single task's answer; its ETag names the version, for a later If-Match. */
function taskAnswer(reply: FastifyReply, task: Task, message: string) {
  reply.header("etag", etagOf(task));
  return { success: true as const, data: task, message };
}

/**
 * The task routes of /api/{user_id}/tasks. The user guard (auth/user-guard.ts) has authenticated the
 * caller as {user_id} before any handler runs.
 */
export const tasksRoutes: FastifyPluginAsyncTypebox<TasksRoutesOptions> = async (app, { cursors, tasksPerUserMax }) => {
  const tasks = createTaskRepository(app.database.db);
  const idempotency = createIdempotencyStore(app.database.db);

  /** A conditional write matched nothing: the task is there and changed (412), or missing (404). */
  async function missingOrChanged(userId: string, taskId: string, versions: Date[] | undefined): Promise<Error> {
    if (versions !== undefined && (await tasks.get(userId, taskId))) return createTaskChangedError();
    return createTaskNotFoundError();
  }

  app.get("/api/:user_id/tasks", { schema: listTasksSchema }, async (request) => {
    // The validator has filled in the schema's defaults; the fallbacks only narrow the types.
    const sort = request.query.sort ?? DEFAULT_SORT;
    const page = await tasks.list(request.userId, {
      status: request.query.status ?? DEFAULT_STATUS,
      search: request.query.q || undefined,
      sort,
      limit: request.query.limit ?? PAGE_SIZE_DEFAULT,
      after: request.query.cursor ? cursors.decode(request.userId, sort, request.query.cursor) : undefined,
    });
    return {
      success: true as const,
      data: page.tasks,
      message: tasksText(page.tasks.length),
      meta: { count: page.tasks.length, next_cursor: page.next ? cursors.encode(request.userId, sort, page.next) : null },
    };
  });

  app.post("/api/:user_id/tasks", { preValidation: normalizeTaskBody, schema: createTaskSchema }, async (request, reply) => {
    const { userId, body } = request;
    const key = parseIdempotencyKey(request.headers["idempotency-key"]);
    const create = async (repository = tasks) => {
      const created = await repository.create(userId, body, tasksPerUserMax);
      if (!created) throw createTaskQuotaExceededError();
      return taskAnswer(reply, created, "Task created");
    };
    reply.code(201);
    if (key === undefined) {
      const answer = await create();
      reply.header("location", taskPath(userId, answer.data.id));
      return answer;
    }
    const hash = requestHash([body.title, body.description ?? null, body.completed ?? false]);
    const outcome = await idempotency.once(userId, key, hash, async (tx) => ({
      statusCode: 201,
      response: await create(createTaskRepository(tx)),
    }));
    const answer = outcome.response as Awaited<ReturnType<typeof create>>;
    reply.header("location", taskPath(userId, answer.data.id)).header("etag", etagOf(answer.data));
    if (outcome.replayed) reply.header("idempotent-replayed", "true");
    return answer;
  });

  // Whole-list operations for the web app: one statement each, never one request per task.
  app.get("/api/:user_id/tasks/counts", { schema: countTasksSchema }, async (request) => {
    const counts = await tasks.counts(request.userId);
    return { success: true as const, data: counts, message: `${tasksText(counts.all)}, ${counts.completed} completed` };
  });
  // "counts" is not a task id: without these, DELETE .../tasks/counts would be DELETE .../tasks/:task_id.
  refuseMethods(app, "/api/:user_id/tasks/counts", ["DELETE", "PATCH", "POST", "PUT"]);

  app.patch("/api/:user_id/tasks", { schema: setAllTasksCompletionSchema }, async (request) => {
    const updated = await tasks.completeAll(request.userId, request.body.completed);
    return {
      success: true as const,
      data: { updated },
      message: `${tasksText(updated)} marked ${request.body.completed ? "complete" : "not complete"}`,
    };
  });

  app.delete("/api/:user_id/tasks", { schema: deleteTasksByStatusSchema }, async (request) => {
    const deleted = await tasks.removeByStatus(request.userId, request.query.status);
    return { success: true as const, data: { deleted }, message: `${tasksText(deleted)} deleted` };
  });

  app.get("/api/:user_id/tasks/:task_id", { schema: getTaskSchema }, async (request, reply) => {
    const task = await tasks.get(request.userId, request.params.task_id);
    if (!task) throw createTaskNotFoundError();
    if (isNotModified(request.headers["if-none-match"], etagOf(task))) return reply.header("etag", etagOf(task)).code(304).send(null);
    return taskAnswer(reply, task, "Task retrieved");
  });

  for (const [method, schema] of [
    ["PUT", replaceTaskSchema],
    ["PATCH", updateTaskSchema],
  ] as const) {
    app.route({
      method,
      url: "/api/:user_id/tasks/:task_id",
      preValidation: normalizeTaskBody,
      schema,
      handler: async (request, reply) => {
        const versions = expectedVersions(request.headers["if-match"], request.params.task_id);
        const task = await tasks.update(request.userId, request.params.task_id, request.body, versions);
        if (!task) throw await missingOrChanged(request.userId, request.params.task_id, versions);
        return taskAnswer(reply, task, "Task updated");
      },
    });
  }

  app.patch(
    "/api/:user_id/tasks/:task_id/complete",
    {
      preValidation: (request, _reply, done) => {
        if (request.body === undefined) request.body = {};
        done();
      },
      schema: setTaskCompletionSchema,
    },
    async (request, reply) => {
      const versions = expectedVersions(request.headers["if-match"], request.params.task_id);
      const task = await tasks.complete(request.userId, request.params.task_id, request.body.completed, versions);
      if (!task) throw await missingOrChanged(request.userId, request.params.task_id, versions);
      return taskAnswer(reply, task, task.completed ? "Task marked complete" : "Task marked not complete");
    },
  );

  app.delete("/api/:user_id/tasks/:task_id", { schema: deleteTaskSchema }, async (request) => {
    const versions = expectedVersions(request.headers["if-match"], request.params.task_id);
    const id = await tasks.remove(request.userId, request.params.task_id, versions);
    if (!id) throw await missingOrChanged(request.userId, request.params.task_id, versions);
    return { success: true as const, data: { id }, message: "Task deleted" };
  });
};
