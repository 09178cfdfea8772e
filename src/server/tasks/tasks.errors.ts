import { ApiError, createErrorFactory } from "../http/envelope.js";

export const createTaskNotFoundError = createErrorFactory("NOT_FOUND", "task not found");

export const createTaskQuotaExceededError = createErrorFactory(
  "QUOTA_EXCEEDED",
  "this account holds the most tasks it may (TASKS_PER_USER_MAX); delete some to add more",
);

export const createTaskChangedError = createErrorFactory("PRECONDITION_FAILED", "the task has changed since that version; read it again and retry");

export const createMalformedIfMatchError = createErrorFactory("BAD_REQUEST", 'If-Match must be "*" or a list of entity tags, as in ETag');

export const createInvalidCursorError = createErrorFactory(
  "BAD_REQUEST",
  "cursor is not one this server issued for this sort order; start from the first page",
);

export const createMalformedIdempotencyKeyError = createErrorFactory("BAD_REQUEST", "Idempotency-Key must be 1 to 255 visible ASCII characters");

export const createIdempotencyKeyReusedError = () =>
  new ApiError("VALIDATION_ERROR", "this Idempotency-Key was used with a different request", [
    { field: "idempotency-key", message: "was already used with a different body" },
  ]);
