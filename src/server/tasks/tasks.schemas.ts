import { Type, type Static } from "typebox";
import { dataEnvelope } from "../http/envelope.js";
import { STORABLE_TEXT_PATTERN } from "../http/validation.js";

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;
export const SEARCH_MAX = 200;
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 200;
export const SORTS = ["created_at", "-created_at", "updated_at", "-updated_at", "title", "-title"] as const;
export const STATUSES = ["all", "pending", "completed"] as const;
export const DEFAULT_SORT = "-created_at" satisfies (typeof SORTS)[number];
export const DEFAULT_STATUS = "all" satisfies (typeof STATUSES)[number];

const Title = Type.String({
  minLength: 1,
  maxLength: TITLE_MAX,
  pattern: STORABLE_TEXT_PATTERN,
  description: `Trimmed of leading and trailing white space, then 1 to ${TITLE_MAX} characters (Unicode code points).`,
});
const Description = Type.Union(
  [Type.String({ maxLength: DESCRIPTION_MAX, pattern: STORABLE_TEXT_PATTERN }), Type.Null()],
  { description: `At most ${DESCRIPTION_MAX} characters; "" is stored as null.` },
);
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
export const UserParams = Type.Object({ user_id: UserId });
export const TaskParams = Type.Object({ user_id: UserId, task_id: Type.String({ format: "uuid" }) });

export const CreateTaskBody = Type.Object(
  { title: Title, description: Type.Optional(Description), completed: Type.Optional(Completed) },
  { additionalProperties: false },
);
export type CreateTaskBody = Static<typeof CreateTaskBody>;

export const UpdateTaskBody = Type.Object(
  { title: Type.Optional(Title), description: Type.Optional(Description), completed: Type.Optional(Completed) },
  { additionalProperties: false, minProperties: 1, description: "Any non-empty subset of the writable fields." },
);
export type UpdateTaskBody = Static<typeof UpdateTaskBody>;

export const CompleteTaskBody = Type.Object(
  { completed: Type.Optional(Completed) },
  { additionalProperties: false, description: "No body (or {}) toggles; {completed} sets the value." },
);

export const ListTasksQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum([...STATUSES], { default: DEFAULT_STATUS })),
    q: Type.Optional(
      Type.String({
        maxLength: SEARCH_MAX,
        pattern: STORABLE_TEXT_PATTERN,
        description: "Case-insensitive text searched in title and description; % and _ are literal.",
      }),
    ),
    sort: Type.Optional(Type.Enum([...SORTS], { default: DEFAULT_SORT, description: "A leading - means descending." })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_SIZE_MAX, default: PAGE_SIZE_DEFAULT })),
    // A title-sorted cursor carries a 200-character title, up to 4 bytes each, base64-encoded.
    cursor: Type.Optional(Type.String({ maxLength: 2048, description: "meta.next_cursor of the previous page." })),
  },
  { additionalProperties: false },
);
export type ListTasksQuery = Static<typeof ListTasksQuery>;
export type TaskSort = (typeof SORTS)[number];
export type TaskStatus = (typeof STATUSES)[number];

export const TaskEnvelope = dataEnvelope(Task);
/** A single task's answer: its ETag names the version, for If-Match on a later write. */
export const VersionedTaskEnvelope = {
  ...TaskEnvelope,
  headers: { etag: { type: "string", description: "This version of the task (strong); send it back in If-Match." } },
};

export const IfMatchHeaders = Type.Object({
  "if-match": Type.Optional(
    Type.String({
      description:
        'Write only if the task is still at one of these versions (ETags from earlier answers), or "*" for any; otherwise 412. A malformed value is a 400.',
    }),
  ),
});
export const IfNoneMatchHeaders = Type.Object({
  "if-none-match": Type.Optional(
    Type.String({ description: "ETags the client holds: when one is the current version, the answer is 304 with no body." }),
  ),
});
export const CreateHeaders = Type.Object({
  "idempotency-key": Type.Optional(
    Type.String({
      description:
        "1 to 255 visible ASCII characters (a UUID is a good choice). A retry with the same key and body within 24 hours replays the first answer and creates nothing; the same key with another body is a 422.",
    }),
  ),
});
export const TaskListEnvelope = Type.Object({
  success: Type.Literal(true),
  data: Type.Array(Task),
  meta: Type.Object({
    count: Type.Integer({ description: "Number of tasks in this page." }),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: "null on the last page." }),
  }),
});
export const DeletedEnvelope = dataEnvelope(Type.Object({ id: Type.String({ format: "uuid" }) }));

export const NoQuery = Type.Object({}, { additionalProperties: false });
export const BulkDeleteQuery = Type.Object(
  {
    status: Type.Enum([...STATUSES], {
      description: "Required, so that a bare DELETE never empties the list: completed clears the done tasks; all deletes every task.",
    }),
  },
  { additionalProperties: false },
);
export const CompleteAllBody = Type.Object(
  { completed: Completed },
  { additionalProperties: false, description: "The state every task of the user is set to." },
);
export const BulkDeletedEnvelope = dataEnvelope(Type.Object({ deleted: Type.Integer({ description: "How many tasks were deleted." }) }));
export const BulkUpdatedEnvelope = dataEnvelope(
  Type.Object({ updated: Type.Integer({ description: "How many tasks changed state (those already in it are left alone)." }) }),
);
export const TaskCountsEnvelope = dataEnvelope(
  Type.Object({ all: Type.Integer(), pending: Type.Integer(), completed: Type.Integer() }, { description: "The user's tasks, counted." }),
);
