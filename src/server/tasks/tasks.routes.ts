import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import rateLimit from "@fastify/rate-limit";
import type { FastifyRequest } from "fastify";
import { sqlState } from "../db/errors.js";
import type { TaskRow } from "../db/schema/index.js";
import { ApiError, errorResponses } from "../http/envelope.js";
import { createFailureLimiter } from "../http/failure-limiter.js";
import type { CursorCodec } from "./cursor.js";
import { createTaskRepository } from "./tasks.repository.js";
import {
  CompleteTaskBody,
  CreateTaskBody,
  DEFAULT_SORT,
  DEFAULT_STATUS,
  DeletedEnvelope,
  ListTasksQuery,
  PAGE_SIZE_DEFAULT,
  TaskEnvelope,
  TaskListEnvelope,
  TaskParams,
  UpdateTaskBody,
  UserParams,
  type Task,
  type TaskSort,
  type TaskStatus,
} from "./tasks.schemas.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated owner of every task this request touches. */
    userId: string;
  }
}

export interface TasksRoutesOptions {
  cursors: CursorCodec;
  rateLimitPerMinute: number;
}

const TAG = ["tasks"];
const SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, { sessionCookie: [] }];

function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    user_id: row.userId,
    title: row.title,
    description: row.description,
    completed: row.completed,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/**
 * The contract trims titles and stores "" descriptions as null; doing it before validation lets the
 * schema judge the text that will actually be stored (a padded 200-character title is fine).
 */
async function normalizeTaskBody(request: FastifyRequest) {
  const body = request.body;
  if (typeof body !== "object" || body === null || Array.isArray(body)) return;
  const fields = body as Record<string, unknown>;
  if (typeof fields.title === "string") fields.title = fields.title.trim();
  if (fields.description === "") fields.description = null;
}

// A bearer token stays valid for minutes after its account is deleted; the database knows better.
const accountGone = () => new ApiError("UNAUTHORIZED", "this account no longer exists");

const rateLimited = (seconds: number) =>
  new ApiError("RATE_LIMITED", `too many requests; retry in ${seconds} s`, undefined, { "retry-after": String(seconds) });

const taskPath = (userId: string, taskId: string) => `/api/${encodeURIComponent(userId)}/tasks/${taskId}`;

export const tasksRoutes: FastifyPluginAsyncTypebox<TasksRoutesOptions> = async (app, { cursors, rateLimitPerMinute }) => {
  const tasks = createTaskRepository(app.database.db);

  app.decorateRequest("userId", "");

  // Requests without valid credentials have no user to count against; each costs a token check or
  // a session lookup, so an address that keeps failing waits, with the per-user limit as its budget.
  const authFailures = createFailureLimiter({ maxFailures: rateLimitPerMinute, windowMs: 60_000 });

  // Before body parsing and validation: who may ask comes before whether the question is well formed.
  app.addHook("onRequest", async (request) => {
    const wait = authFailures.retryAfter(request.ip);
    if (wait !== null) throw rateLimited(wait);
    const principal = await app.authenticate(request).catch((error: unknown) => {
      if (error instanceof ApiError && error.code === "UNAUTHORIZED") authFailures.failed(request.ip);
      throw error;
    });
    if ((request.params as { user_id?: string }).user_id !== principal.userId) {
      throw new ApiError("FORBIDDEN", "the user_id in the path is not the signed-in user");
    }
    request.userId = principal.userId;
  });

  await app.register(rateLimit, {
    hook: "preValidation",
    max: rateLimitPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.userId,
    errorResponseBuilder: (_request, context) => rateLimited(Math.ceil(context.ttl / 1000)),
  });

  /** Nothing matched: another user's task and a missing one look the same, unless the user is gone. */
  async function missing(userId: string): Promise<ApiError> {
    return (await tasks.userExists(userId)) ? new ApiError("NOT_FOUND", "task not found") : accountGone();
  }

  app.get(
    "/api/:user_id/tasks",
    {
      schema: {
        tags: TAG,
        security: SECURITY,
        summary: "List tasks, newest first by default, a page at a time",
        params: UserParams,
        querystring: ListTasksQuery,
        response: { 200: TaskListEnvelope, ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "VALIDATION_ERROR") },
      },
    },
    async (request) => {
      // The validator has filled in the schema's defaults; the fallbacks only narrow the types.
      const sort = (request.query.sort ?? DEFAULT_SORT) as TaskSort;
      const page = await tasks.list(request.userId, {
        status: (request.query.status ?? DEFAULT_STATUS) as TaskStatus,
        search: request.query.q || undefined,
        sort,
        limit: request.query.limit ?? PAGE_SIZE_DEFAULT,
        after: request.query.cursor ? cursors.decode(sort, request.query.cursor) : undefined,
      });
      if (page.rows.length === 0 && !(await tasks.userExists(request.userId))) throw accountGone();
      return {
        success: true as const,
        data: page.rows.map(toTask),
        meta: { count: page.rows.length, next_cursor: page.next ? cursors.encode(sort, page.next) : null },
      };
    },
  );

  app.post(
    "/api/:user_id/tasks",
    {
      preValidation: normalizeTaskBody,
      schema: {
        tags: TAG,
        security: SECURITY,
        summary: "Create a task",
        params: UserParams,
        body: CreateTaskBody,
        response: {
          201: {
            ...TaskEnvelope,
            description: "The task, created.",
            headers: { location: { type: "string", description: "The new task's URL: /api/{user_id}/tasks/{id}" } },
          },
          ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"),
        },
      },
    },
    async (request, reply) => {
      let row: TaskRow;
      try {
        row = await tasks.create(request.userId, request.body);
      } catch (error) {
        // The owner row is gone: a still-valid bearer token of a deleted account.
        if (sqlState(error) === "23503") throw accountGone();
        throw error;
      }
      reply.code(201).header("location", taskPath(request.userId, row.id));
      return { success: true as const, data: toTask(row), message: "Task created" };
    },
  );

  app.get(
    "/api/:user_id/tasks/:task_id",
    {
      schema: {
        tags: TAG,
        security: SECURITY,
        summary: "Read one task",
        params: TaskParams,
        response: { 200: TaskEnvelope, ...errorResponses("UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR") },
      },
    },
    async (request) => {
      const row = await tasks.get(request.userId, request.params.task_id);
      if (!row) throw await missing(request.userId);
      return { success: true as const, data: toTask(row) };
    },
  );

  const updateSchema = (summary: string) => ({
    tags: TAG,
    security: SECURITY,
    summary,
    params: TaskParams,
    body: UpdateTaskBody,
    response: {
      200: TaskEnvelope,
      ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"),
    },
  });
  for (const method of ["PUT", "PATCH"] as const) {
    app.route({
      method,
      url: "/api/:user_id/tasks/:task_id",
      preValidation: normalizeTaskBody,
      schema: updateSchema(
        method === "PUT"
          ? "Update a task (any non-empty subset of the writable fields, as PATCH)"
          : "Update some fields of a task",
      ),
      handler: async (request) => {
        const row = await tasks.update(request.userId, request.params.task_id, request.body);
        if (!row) throw await missing(request.userId);
        return { success: true as const, data: toTask(row), message: "Task updated" };
      },
    });
  }

  app.patch(
    "/api/:user_id/tasks/:task_id/complete",
    {
      preValidation: async (request) => {
        if (request.body === undefined) request.body = {};
      },
      schema: {
        tags: TAG,
        security: SECURITY,
        summary: "Toggle completion, or set it with {completed}",
        params: TaskParams,
        body: CompleteTaskBody,
        response: {
          200: TaskEnvelope,
          ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"),
        },
      },
    },
    async (request) => {
      const row = await tasks.complete(request.userId, request.params.task_id, request.body.completed);
      if (!row) throw await missing(request.userId);
      return {
        success: true as const,
        data: toTask(row),
        message: row.completed ? "Task marked complete" : "Task marked not complete",
      };
    },
  );

  app.delete(
    "/api/:user_id/tasks/:task_id",
    {
      schema: {
        tags: TAG,
        security: SECURITY,
        summary: "Delete a task; deleting it again answers 404",
        params: TaskParams,
        response: { 200: DeletedEnvelope, ...errorResponses("UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR") },
      },
    },
    async (request) => {
      const id = await tasks.remove(request.userId, request.params.task_id);
      if (!id) throw await missing(request.userId);
      return { success: true as const, data: { id }, message: "Task deleted" };
    },
  );
};
