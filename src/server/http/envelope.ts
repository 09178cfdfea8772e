import { type TSchema, Type } from "typebox";

/** The largest request body accepted anywhere (the contract's 413 threshold). */
export const BODY_LIMIT = 64 * 1024;

export const ERROR_CODES = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  QUOTA_EXCEEDED: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_ERROR: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  field: string;
  message: string;
}

/** An error the client caused or must know about, answered in the contract's envelope. */
export class ApiError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "ApiError";
    this.statusCode = ERROR_CODES[code];
  }
}

/**
 * An error declared once, in its module's errors file (as papra's createErrorFactory): handlers
 * throw the factory's result and never build an ApiError inline.
 */
export function createErrorFactory(code: ErrorCode, message: string, headers?: Record<string, string>) {
  return () => new ApiError(code, message, undefined, headers);
}

export const serviceUnavailable = createErrorFactory("SERVICE_UNAVAILABLE", "the database is unavailable; try again shortly", {
  "retry-after": "5",
});

export const internalError = createErrorFactory("INTERNAL_ERROR", "something went wrong on our side; the request id identifies it in the log");

export const ErrorEnvelope = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.Object({
      code: Type.Enum(Object.keys(ERROR_CODES) as ErrorCode[]),
      message: Type.String(),
      details: Type.Optional(
        Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
          description: "Present only for VALIDATION_ERROR: one entry per offending field.",
        }),
      ),
    }),
  },
  { $id: "ErrorEnvelope", description: "Every error under /api/ has this shape." },
);

export function errorBody(code: ErrorCode, message: string, details?: ErrorDetail[]) {
  return { success: false as const, error: details ? { code, message, details } : { code, message } };
}

/** A success answer: its data, and a short human text for it ("Task retrieved", "3 tasks"). */
export function dataEnvelope<T extends TSchema>(data: T) {
  return Type.Object({
    success: Type.Literal(true),
    data,
    message: Type.String(),
  });
}

const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  BAD_REQUEST: "The body is not valid JSON, or a query parameter (the cursor) or a header (If-Match, Idempotency-Key) is malformed.",
  UNAUTHORIZED: "No credentials, or a token or session that is invalid, expired or of a deleted user.",
  FORBIDDEN: "The user_id in the path is not the authenticated user, or a cookie-authenticated write came from an untrusted Origin.",
  QUOTA_EXCEEDED: "The user already holds the most tasks an account may (TASKS_PER_USER_MAX).",
  NOT_FOUND: "No such task for this user (another user's task answers exactly the same).",
  METHOD_NOT_ALLOWED: "Known path, unsupported method; the Allow header lists the methods.",
  PRECONDITION_FAILED: "If-Match named no current version: the task changed since it was read. Read it again, then retry.",
  PAYLOAD_TOO_LARGE: "The body is over 64 KiB.",
  UNSUPPORTED_MEDIA_TYPE: "The body is not application/json.",
  VALIDATION_ERROR: "The request breaks the schema; details lists each field.",
  RATE_LIMITED: "Too many requests; retry after the Retry-After header's seconds.",
  INTERNAL_ERROR: "Something unexpected; the log holds the details under the x-request-id.",
  SERVICE_UNAVAILABLE: "The database cannot be reached, or the server is overloaded; retry after the Retry-After header's seconds.",
};

/**
 * The error responses of a route, for its schema (and so for the OpenAPI document), each a reference
 * to the one ErrorEnvelope schema that app.ts registers.
 */
export function errorResponses(...codes: ErrorCode[]) {
  const all: ErrorCode[] = [...codes, "RATE_LIMITED", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"];
  const retryAfter = { "retry-after": { type: "integer", description: "Seconds to wait before trying again." } };
  // Codes sharing a status (403: FORBIDDEN, QUOTA_EXCEEDED) share its one response, described together.
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of all) byStatus.set(ERROR_CODES[code], [...(byStatus.get(ERROR_CODES[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, shared]) => [
      status,
      {
        $ref: "ErrorEnvelope#",
        description: shared.map((code) => (shared.length > 1 ? `${code}: ${ERROR_DESCRIPTIONS[code]}` : ERROR_DESCRIPTIONS[code])).join(" "),
        ...(shared.includes("RATE_LIMITED") || shared.includes("SERVICE_UNAVAILABLE") ? { headers: retryAfter } : {}),
      },
    ]),
  );
}
