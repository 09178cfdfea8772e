import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import rateLimit from "@fastify/rate-limit";
import type { FastifyReply, FastifyRequest } from "fastify";
import { sqlState } from "../db/errors.js";
import { ApiError, errorResponses } from "../http/envelope.js";
import { createFailureLimiter } from "../http/failure-limiter.js";
import type { CursorCodec } from "./cursor.js";
import { etagOf, expectedVersions, isNotModified } from "./etag.js";
import { createIdempotencyStore, parseIdempotencyKey, requestHash, type StoredResponse } from "./idempotency.js";
import { createTaskRepository, type TaskAnswer } from "./tasks.repository.js";
import {
  BulkDeletedEnvelope,
  BulkDeleteQuery,
  BulkUpdatedEnvelope,
  CompleteAllBody,
  CompleteTaskBody,
  CreateHeaders,
  CreateTaskBody,
  DEFAULT_SORT,
  DEFAULT_STATUS,
  DeletedEnvelope,
  IfMatchHeaders,
  IfNoneMatchHeaders,
  ListTasksQuery,
  NoQuery,
  PAGE_SIZE_DEFAULT,
  TaskCountsEnvelope,
  TaskListEnvelope,
  VersionedTaskEnvelope,
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

/** A single task's envelope around its JSON from the repository (tasks.repository.ts). */
const taskEnvelope = (task: TaskAnswer, message?: string) =>
  `{"success":true,"data":${task.json}${message === undefined ? "" : `,"message":${JSON.stringify(message)}`}}`;

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

// A bearer token stays valid for minutes after its account is deleted; the database knows better.
const accountGone = () => new ApiError("UNAUTHORIZED", "this account no longer exists");

const rateLimited = (seconds: number) =>
  new ApiError("RATE_LIMITED", `too many requests; retry in ${seconds} s`, undefined, { "retry-after": String(seconds) });

/** Sends JSON already written (Fastify sends a string with a JSON content type as it is). */
const sendJsonText = (reply: FastifyReply, json: string) => reply.type("application/json; charset=utf-8").send(json);

const taskPath = (userId: string, taskId: string) => `/api/${encodeURIComponent(userId)}/tasks/${taskId}`;

const taskChanged = () =>
  new ApiError("PRECONDITION_FAILED", "the task has changed since that version; read it again and retry");

export const tasksRoutes: FastifyPluginAsyncTypebox<TasksRoutesOptions> = async (app, { cursors, rateLimitPerMinute }) => {
  const tasks = createTaskRepository(app.database.db);
  const idempotency = createIdempotencyStore(app.database.db);

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
    // The limit's headers go out with the 429 only (with Retry-After), not with every answer.
    addHeadersOnExceeding: { "x-ratelimit-limit": false, "x-ratelimit-remaining": false, "x-ratelimit-reset": false },
    errorResponseBuilder: (_request, context) => rateLimited(Math.ceil(context.ttl / 1000)),
  });

  /** Nothing matched: another user's task and a missing one look the same, unless the user is gone. */
  async function missing(userId: string): Promise<ApiError> {
    return (await tasks.userExists(userId)) ? new ApiError("NOT_FOUND", "task not found") : accountGone();
  }

  /** A conditional write matched nothing: the task is missing (404), or there and changed (412). */
  async function missingOrChanged(userId: string, taskId: string, versions: Date[] | undefined): Promise<ApiError> {
    if (versions !== undefined && (await tasks.get(userId, taskId))) return taskChanged();
    return missing(userId);
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
    async (request, reply) => {
      // The validator has filled in the schema's defaults; the fallbacks only narrow the types.
      const sort = (request.query.sort ?? DEFAULT_SORT) as TaskSort;
      const page = await tasks.list(request.userId, {
        status: (request.query.status ?? DEFAULT_STATUS) as TaskStatus,
        search: request.query.q || undefined,
        sort,
        limit: request.query.limit ?? PAGE_SIZE_DEFAULT,
        after: request.query.cursor ? cursors.decode(sort, request.query.cursor) : undefined,
      });
      if (page.count === 0 && !(await tasks.userExists(request.userId))) throw accountGone();
      // The tasks arrive as JSON text (tasks.repository.ts): the envelope is written around them.
      const meta = { count: page.count, next_cursor: page.next ? cursors.encode(sort, page.next) : null };
      return sendJsonText(reply, `{"success":true,"data":[${page.json}],"meta":${JSON.stringify(meta)}}`);
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
        headers: CreateHeaders,
        body: CreateTaskBody,
        response: {
          201: {
            ...VersionedTaskEnvelope,
            description: "The task, created (or, for a repeated Idempotency-Key, the first answer replayed).",
            headers: {
              ...VersionedTaskEnvelope.headers,
              location: { type: "string", description: "The new task's URL: /api/{user_id}/tasks/{id}" },
              "idempotent-replayed": { type: "string", enum: ["true"], description: "Present when this is a replay: nothing was created." },
            },
          },
          ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"),
        },
      },
    },
    async (request, reply) => {
      const { userId, body } = request;
      const key = parseIdempotencyKey(request.headers["idempotency-key"]);
      try {
        if (key === undefined) {
          const task = await tasks.create(userId, body);
          reply.code(201).header("location", taskPath(userId, task.id)).header("etag", etagOf(task));
          return sendJsonText(reply, taskEnvelope(task, "Task created"));
        }
        const hash = requestHash([body.title, body.description ?? null, body.completed ?? false]);
        const outcome = await idempotency.once(userId, key, hash, async (tx): Promise<StoredResponse> => ({
          statusCode: 201,
          response: JSON.parse(taskEnvelope(await createTaskRepository(tx).create(userId, body), "Task created")) as unknown,
        }));
        const answer = outcome.response as { success: true; data: Task; message: string };
        reply.code(201).header("location", taskPath(userId, answer.data.id)).header("etag", etagOf(answer.data));
        if (outcome.replayed) reply.header("idempotent-replayed", "true");
        return answer;
      } catch (error) {
        // The owner row is gone: a still-valid bearer token of a deleted account.
        if (sqlState(error) === "23503") throw accountGone();
        throw error;
      }
    },
  );

  // Whole-list operations for the web app: one statement each, never one request per task.
  app.get(
    "/api/:user_id/tasks/counts",
    {
      schema: {
        tags: TAG,
        security: SECURITY,
        summary: "Count the user's tasks: all, pending and completed",
        params: UserParams,
        querystring: NoQuery,
        response: { 200: TaskCountsEnvelope, ...errorResponses("UNAUTHORIZED", "FORBIDDEN", "VALIDATION_ERROR") },
      },
    },
    async (request) => {
      const counts = await tasks.counts(request.userId);
      if (counts.all === 0 && !(await tasks.userExists(request.userId))) throw accountGone();
      return { success: true as const, data: counts };
    },
  );

  app.patch(
    "/api/:user_id/tasks",
    {
      schema: {
        tags: TAG,
        security: SECURITY,
        summary: "Mark every task of the user done, or not done",
        params: UserParams,
        body: CompleteAllBody,
        response: {
          200: BulkUpdatedEnvelope,
          ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"),
        },
      },
    },
    async (request) => {
      const updated = await tasks.completeAll(request.userId, request.body.completed);
      if (updated === 0 && !(await tasks.userExists(request.userId))) throw accountGone();
      return {
        success: true as const,
        data: { updated },
        message: `${updated} ${updated === 1 ? "task" : "tasks"} marked ${request.body.completed ? "complete" : "not complete"}`,
      };
    },
  );

  app.delete(
    "/api/:user_id/tasks",
    {
      schema: {
        tags: TAG,
        security: SECURITY,
        summary: "Delete the user's tasks in one state (status is required: completed clears the done ones)",
        params: UserParams,
        querystring: BulkDeleteQuery,
        response: { 200: BulkDeletedEnvelope, ...errorResponses("UNAUTHORIZED", "FORBIDDEN", "VALIDATION_ERROR") },
      },
    },
    async (request) => {
      const deleted = await tasks.removeByStatus(request.userId, request.query.status as TaskStatus);
      if (deleted === 0 && !(await tasks.userExists(request.userId))) throw accountGone();
      return { success: true as const, data: { deleted }, message: `${deleted} ${deleted === 1 ? "task" : "tasks"} deleted` };
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
        headers: IfNoneMatchHeaders,
        response: {
          200: VersionedTaskEnvelope,
          304: { type: "null", description: "If-None-Match named the current version: the copy the client holds is current." },
          ...errorResponses("UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR"),
        },
      },
    },
    async (request, reply) => {
      const task = await tasks.get(request.userId, request.params.task_id);
      if (!task) throw await missing(request.userId);
      const etag = etagOf(task);
      reply.header("etag", etag);
      if (isNotModified(request.headers["if-none-match"], etag)) return reply.code(304).send(null);
      return sendJsonText(reply, taskEnvelope(task));
    },
  );

  const updateSchema = (summary: string) => ({
    tags: TAG,
    security: SECURITY,
    summary,
    params: TaskParams,
    headers: IfMatchHeaders,
    body: UpdateTaskBody,
    response: {
      200: VersionedTaskEnvelope,
      ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "PRECONDITION_FAILED", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"),
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
      handler: async (request, reply) => {
        const versions = expectedVersions(request.headers["if-match"], request.params.task_id);
        const task = await tasks.update(request.userId, request.params.task_id, request.body, versions);
        if (!task) throw await missingOrChanged(request.userId, request.params.task_id, versions);
        reply.header("etag", etagOf(task));
        return sendJsonText(reply, taskEnvelope(task, "Task updated"));
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
      schema: {
        tags: TAG,
        security: SECURITY,
        summary: "Toggle completion, or set it with {completed}",
        params: TaskParams,
        headers: IfMatchHeaders,
        body: CompleteTaskBody,
        response: {
          200: VersionedTaskEnvelope,
          ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "PRECONDITION_FAILED", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"),
        },
      },
    },
    async (request, reply) => {
      const versions = expectedVersions(request.headers["if-match"], request.params.task_id);
      const task = await tasks.complete(request.userId, request.params.task_id, request.body.completed, versions);
      if (!task) throw await missingOrChanged(request.userId, request.params.task_id, versions);
      reply.header("etag", etagOf(task));
      return sendJsonText(reply, taskEnvelope(task, task.completed ? "Task marked complete" : "Task marked not complete"));
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
        headers: IfMatchHeaders,
        response: {
          200: DeletedEnvelope,
          ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "PRECONDITION_FAILED", "VALIDATION_ERROR"),
        },
      },
    },
    async (request) => {
      const versions = expectedVersions(request.headers["if-match"], request.params.task_id);
      const id = await tasks.remove(request.userId, request.params.task_id, versions);
      if (!id) throw await missingOrChanged(request.userId, request.params.task_id, versions);
      return { success: true as const, data: { id }, message: "Task deleted" };
    },
  );
};
