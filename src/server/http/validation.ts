import { Ajv, type ErrorObject, type Options } from "ajv";
import type { FastifySchemaCompiler } from "fastify";
import type { ErrorDetail } from "./envelope.js";

/** No NUL (PostgreSQL cannot store it) and no unpaired surrogate (not valid Unicode, not storable as UTF-8). */
export const STORABLE_TEXT_PATTERN = "^[^\\u0000\\uD800-\\uDFFF]*$";
/** A UUID as PostgreSQL prints one (Ajv's own format would also take a urn:uuid: prefix). */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function createAjv(options: Options): Ajv {
  // Ajv checks patterns with the "u" flag, so a surrogate pair is one code point (allowed) and a
  // lone surrogate is a code point in D800-DFFF (refused); maxLength counts code points too.
  const ajv = new Ajv({ allErrors: true, strict: false, ...options });
  ajv.addFormat("uuid", UUID_PATTERN);
  ajv.addFormat("date-time", { type: "string", validate: (value: string) => !Number.isNaN(Date.parse(value)) });
  return ajv;
}

/**
 * Bodies are JSON and validated as sent: no coercion ("true" is not a boolean), no defaults, no
 * silent removal of unknown fields. Query strings and path parameters arrive as text and are coerced.
 */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const bodyAjv = createAjv({ coerceTypes: false, useDefaults: false, removeAdditional: false });
  const textAjv = createAjv({ coerceTypes: true, useDefaults: true, removeAdditional: false });
  return ({ schema, httpPart }) => (httpPart === "body" ? bodyAjv : textAjv).compile(schema as object);
}

const READ_ONLY_FIELDS = new Set(["id", "user_id", "created_at", "updated_at"]);

function fieldOf(error: ErrorObject, part: string): string {
  const path = error.instancePath.slice(1).replaceAll("/", ".");
  const child =
    error.keyword === "required"
      ? (error.params as { missingProperty: string }).missingProperty
      : error.keyword === "additionalProperties"
        ? (error.params as { additionalProperty: string }).additionalProperty
        : undefined;
  if (child !== undefined) return path ? `${path}.${child}` : child;
  return path || part;
}

function messageOf(error: ErrorObject, field: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return "is required";
    case "additionalProperties":
      return READ_ONLY_FIELDS.has(field) ? "is read-only" : "is not a known field";
    case "minLength":
      return params.limit === 1 ? "must not be empty" : `must be at least ${params.limit} characters`;
    case "maxLength":
      return `must be at most ${params.limit} characters`;
    case "pattern":
      return params.pattern === STORABLE_TEXT_PATTERN ? "must not contain NUL characters or unpaired surrogates" : "has an invalid format";
    case "format":
      return params.format === "uuid" ? "must be a UUID" : `must be a valid ${params.format}`;
    case "type":
      return `must be ${withArticle(String(params.type))}`;
    case "enum":
      return `must be one of: ${(params.allowedValues as unknown[]).join(", ")}`;
    case "minimum":
      return `must be at least ${params.limit}`;
    case "maximum":
      return `must be at most ${params.limit}`;
    case "minProperties":
      return "must contain at least one field";
    default:
      return error.message ?? "is invalid";
  }
}

const TYPE_NAMES: Record<string, string> = { object: "a JSON object", array: "an array", integer: "an integer", null: "null" };

function withArticle(type: string): string {
  return TYPE_NAMES[type] ?? `a ${type}`;
}

/**
 * Turns Ajv's errors into one detail per field. A nullable field fails every branch of its anyOf:
 * those type errors are merged into one "must be a string or null".
 */
export function validationDetails(errors: ErrorObject[], part: string): ErrorDetail[] {
  const byField = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    if (error.keyword === "anyOf") continue;
    const field = fieldOf(error, part);
    byField.set(field, [...(byField.get(field) ?? []), error]);
  }
  return [...byField].map(([field, fieldErrors]) => {
    const nonType = fieldErrors.find((error) => error.keyword !== "type");
    if (nonType) return { field, message: messageOf(nonType, field) };
    const types = fieldErrors.map((error) => withArticle(String((error.params as { type: string }).type)));
    return { field, message: `must be ${[...new Set(types)].join(" or ")}` };
  });
}

export function summarize(details: ErrorDetail[]): string {
  const [first] = details;
  if (!first) return "the request is invalid";
  const more = details.length > 1 ? ` (and ${details.length - 1} more)` : "";
  return `${first.field} ${first.message}${more}`;
}
