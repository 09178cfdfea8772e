import { type Static, Type } from "typebox";
import {
  DEFAULT_SORT,
  DEFAULT_STATUS,
  DESCRIPTION_MAX,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  SEARCH_MAX,
  TASK_SORTS,
  TASK_STATUSES,
  TITLE_MAX,
} from "../../shared/rules.js";
import { dataEnvelope, errorResponses } from "../http/envelope.js";
import { STORABLE_TEXT_PATTERN } from "../http/validation.js";

const Title = Type.String({
  minLength: 1,
  maxLength: TITLE_MAX,
  pattern: STORABLE_TEXT_PATTERN,
  description: `Trimmed of leading and trailing white space, then 1 to ${TITLE_MAX} characters (Unicode code points).`,
});
const Description = Type.Union([Type.String({ maxLength: DESCRIPTION_MAX, pattern: STORABLE_TEXT_PATTERN }), Type.Null()], {
  description: `At most ${DESCRIPTION_MAX} characters; "" is stored as null.`,
});
const Completed = Type.Boolean();

export const Task = Type.Object({
  id: Type.String({ format: "uuid" }),
  user_id: Type.String({ description: "The owner: always the authenticated user." }),
  title: Type.String(),
  description: Type.Union([Type.String(), Type.Null()]),
  completed: Type.Boolean(),
  created_at: Type.String({ format: "date-time", description: "RFC 3339, UTC, milliseconds." }),
  updated_at: Type.String({ format: "date-time", description: "Changes on every successful modification." }),
});
export type Task = Static<typeof Task>;

const UserId = Type.String({ minLength: 1, maxLength: 255, description: "Must be the authenticated user's id." });
const UserParams = Type.Object({ user_id: UserId });
const TaskParams = Type.Object({ user_id: UserId, task_id: Type.String({ format: "uuid" }) });

const CreateTaskBody = Type.Object(
  { title: Title, description: Type.Optional(Description), completed: Type.Optional(Completed) },
  { additionalProperties: false },
);
export type CreateTaskBody = Static<typeof CreateTaskBody>;

const UpdateTaskBody = Type.Object(
  { title: Type.Optional(Title), description: Type.Optional(Description), completed: Type.Optional(Completed) },
  { additionalProperties: false, minProperties: 1, description: "Any non-empty subset of the writable fields." },
);
export type UpdateTaskBody = Static<typeof UpdateTaskBody>;

const CompleteTaskBody = Type.Object(
  { completed: Type.Optional(Completed) },
  { additionalProperties: false, description: "No body (or {}) toggles; {completed} sets the value." },
);

const ListTasksQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...TASK_STATUSES], { default: DEFAULT_STATUS })),
    q: Type.Optional(
      Type.String({
        maxLength: SEARCH_MAX,
        pattern: STORABLE_TEXT_PATTERN,
        description: "Case-insensitive text searched in title and description; % and _ are literal.",
      }),
    ),
    sort: Type.Optional(Type.Enum([...TASK_SORTS], { default: DEFAULT_SORT, description: "A leading - means descending." })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_SIZE_MAX, default: PAGE_SIZE_DEFAULT })),
    // A title-sorted cursor carries a 200-character title, up to 4 bytes each, base64-encoded.
    cursor: Type.Optional(Type.String({ maxLength: 2048, description: "meta.next_cursor of the previous page." })),
  },
  { additionalProperties: false },
);

/** A single task's answer: its ETag names the version, for If-Match on a later write. */
const VersionedTaskEnvelope = {
  ...dataEnvelope(Task),
  headers: { etag: { type: "string", description: "This version of the task (strong); send it back in If-Match." } },
};

const IfMatchHeaders = Type.Object({
  "if-match": Type.Optional(
    Type.String({
      description:
        'Write only if the task is still at one of these versions (ETags from earlier answers), or "*" for any; otherwise 412. A malformed value is a 400.',
    }),
  ),
});
const IfNoneMatchHeaders = Type.Object({
  "if-none-match": Type.Optional(
    Type.String({ description: "ETags the client holds: when one is the current version, the answer is 304 with no body." }),
  ),
});
const CreateHeaders = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({
      description:
        "1 to 255 visible ASCII characters (a UUID is a good choice). A retry with the same key and body within 24 hours replays the first answer and creates nothing; the same key with another body is a 422.",
    }),
  ),
});
const TaskListEnvelope = Type.Object({
  success: Type.Literal(true),
  data: Type.Array(Task),
  message: Type.String({ description: 'How many tasks this page holds, e.g. "3 tasks".' }),
  meta: Type.Object({
    count: Type.Integer({ description: "Number of tasks in this page." }),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: "null on the last page." }),
  }),
});

const NoQuery = Type.Object({}, { additionalProperties: false });
const BulkDeleteQuery = Type.Object(
  {
    status: Type.Enum([...TASK_STATUSES], {
      description: "Required, so that a bare DELETE never empties the list: completed clears the done tasks; all deletes every task.",
    }),
  },
  { additionalProperties: false },
);
const CompleteAllBody = Type.Object(
  { completed: Completed },
  { additionalProperties: false, description: "The state every task of the user is set to." },
);

const TAGS = ["tasks"];
const SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, { sessionCookie: [] }];

// The route schemas: each route's whole contract, every answer it can give included (and so the
// OpenAPI document's). Fastify validates requests and serializes answers with them. Every method but
// GET may carry a body, which Fastify parses (400, 413, 415) even where the route reads none.

export const listTasksSchema = {
  operationId: "listTasks",
  tags: TAGS,
  security: SECURITY,
  summary: "List tasks, newest first by default, a page at a time",
  description: "A page of the user's tasks, filtered by status and search text, in a stable order; meta.next_cursor fetches the next page.",
  params: UserParams,
  querystring: ListTasksQuery,
  response: { 200: TaskListEnvelope, ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "VALIDATION_ERROR") },
};

export const createTaskSchema = {
  operationId: "createTask",
  tags: TAGS,
  security: SECURITY,
  summary: "Create a task",
  description:
    "Creates a task for the user; Location names it. With an Idempotency-Key, a retry replays the first answer instead of creating another task.",
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
    ...errorResponses(
      "BAD_REQUEST",
      "UNAUTHORIZED",
      "FORBIDDEN",
      "QUOTA_EXCEEDED",
      "PAYLOAD_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
      "VALIDATION_ERROR",
    ),
  },
};

export const countTasksSchema = {
  operationId: "countTasks",
  tags: TAGS,
  security: SECURITY,
  summary: "Count the user's tasks: all, pending and completed",
  description: "The numbers behind the list's filters, in one answer.",
  params: UserParams,
  querystring: NoQuery,
  response: {
    200: dataEnvelope(
      Type.Object({ all: Type.Integer(), pending: Type.Integer(), completed: Type.Integer() }, { description: "The user's tasks, counted." }),
    ),
    ...errorResponses("UNAUTHORIZED", "FORBIDDEN", "VALIDATION_ERROR"),
  },
};

export const setAllTasksCompletionSchema = {
  operationId: "setAllTasksCompletion",
  tags: TAGS,
  security: SECURITY,
  summary: "Mark every task of the user done, or not done",
  description: "One statement for the whole list; tasks already in that state are left as they are.",
  params: UserParams,
  body: CompleteAllBody,
  response: {
    200: dataEnvelope(Type.Object({ updated: Type.Integer({ description: "How many tasks changed state (those already in it are left alone)." }) })),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"),
  },
};

export const deleteTasksByStatusSchema = {
  operationId: "deleteTasksByStatus",
  tags: TAGS,
  security: SECURITY,
  summary: "Delete the user's tasks in one state (status is required: completed clears the done ones)",
  description: "Deletes every task of the user in the given state, in one statement; without status it is a 422.",
  params: UserParams,
  querystring: BulkDeleteQuery,
  response: {
    200: dataEnvelope(Type.Object({ deleted: Type.Integer({ description: "How many tasks were deleted." }) })),
    ...errorResponses("BAD_REQUEST", "UNAUTHORIZED", "FORBIDDEN", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE", "VALIDATION_ERROR"),
  },
};

export const getTaskSchema = {
  operationId: "getTask",
  tags: TAGS,
  security: SECURITY,
  summary: "Read one task",
  description: "The task, with its version in ETag; If-None-Match with that version answers 304.",
  params: TaskParams,
  headers: IfNoneMatchHeaders,
  response: {
    200: VersionedTaskEnvelope,
    304: { type: "null", description: "If-None-Match named the current version: the copy the client holds is current." },
    ...errorResponses("UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "VALIDATION_ERROR"),
  },
};

const updateTaskResponses = {
  200: VersionedTaskEnvelope,
  ...errorResponses(
    "BAD_REQUEST",
    "UNAUTHORIZED",
    "FORBIDDEN",
    "NOT_FOUND",
    "PRECONDITION_FAILED",
    "PAYLOAD_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "VALIDATION_ERROR",
  ),
};

export const replaceTaskSchema = {
  operationId: "replaceTask",
  tags: TAGS,
  security: SECURITY,
  summary: "Update a task (any non-empty subset of the writable fields, as PATCH)",
  description: "Writes the fields given and leaves the others; with If-Match, only while the task is at that version.",
  params: TaskParams,
  headers: IfMatchHeaders,
  body: UpdateTaskBody,
  response: updateTaskResponses,
};

export const updateTaskSchema = {
  ...replaceTaskSchema,
  operationId: "updateTask",
  summary: "Update some fields of a task",
};

export const setTaskCompletionSchema = {
  operationId: "setTaskCompletion",
  tags: TAGS,
  security: SECURITY,
  summary: "Toggle completion, or set it with {completed}",
  description: "Without a body, flips completed in one statement, so concurrent toggles never lose one; {completed} sets it.",
  params: TaskParams,
  headers: IfMatchHeaders,
  body: CompleteTaskBody,
  response: {
    200: VersionedTaskEnvelope,
    ...errorResponses(
      "BAD_REQUEST",
      "UNAUTHORIZED",
      "FORBIDDEN",
      "NOT_FOUND",
      "PRECONDITION_FAILED",
      "PAYLOAD_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
      "VALIDATION_ERROR",
    ),
  },
};

export const deleteTaskSchema = {
  operationId: "deleteTask",
  tags: TAGS,
  security: SECURITY,
  summary: "Delete a task; deleting it again answers 404",
  description: "Deletes the task; with If-Match, only while it is at that version.",
  params: TaskParams,
  headers: IfMatchHeaders,
  response: {
    200: dataEnvelope(Type.Object({ id: Type.String({ format: "uuid" }) })),
    ...errorResponses(
      "BAD_REQUEST",
      "UNAUTHORIZED",
      "FORBIDDEN",
      "NOT_FOUND",
      "PRECONDITION_FAILED",
      "PAYLOAD_TOO_LARGE",
      "UNSUPPORTED_MEDIA_TYPE",
      "VALIDATION_ERROR",
    ),
  },
};
