import type { ErrorObject } from "ajv";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { isDatabaseUnavailable, loggableError } from "../db/errors.js";
import { ApiError, type ErrorCode, errorBody, internalError, serviceUnavailable } from "../http/envelope.js";
import { summarize, validationDetails } from "../http/validation.js";

/** Fastify's body-parsing errors, in the contract's codes and plain words. */
const FASTIFY_ERRORS: Record<string, [ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ["UNSUPPORTED_MEDIA_TYPE", "the body must be application/json"],
  FST_ERR_CTP_BODY_TOO_LARGE: ["PAYLOAD_TOO_LARGE", "the body must be at most 64 KiB"],
  FST_ERR_CTP_INVALID_JSON_BODY: ["BAD_REQUEST", "the body is not valid JSON"],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ["BAD_REQUEST", "the Content-Length does not match the body"],
};

function toApiError(error: FastifyError, request: FastifyRequest): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation) {
    const details = validationDetails(error.validation as ErrorObject[], error.validationContext ?? "request");
    return new ApiError("VALIDATION_ERROR", summarize(details), details);
  }
  const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
  if (known) return new ApiError(...known);
  if (isDatabaseUnavailable(error)) {
    request.log.error({ error: loggableError(error) }, "database unavailable");
    return serviceUnavailable();
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    // A client error raised by Fastify or a plugin that has no code of its own in the contract.
    return new ApiError("BAD_REQUEST", error.message);
  }
  request.log.error({ error: loggableError(error) }, "unhandled error");
  return internalError();
}

export function sendError(reply: FastifyReply, error: ApiError) {
  if (error.headers) reply.headers(error.headers);
  return reply.code(error.statusCode).send(errorBody(error.code, error.message, error.details));
}

/** Every failure, from routing to the database, leaves in the contract's error envelope. */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((error: FastifyError, request, reply) => sendError(reply, toApiError(error, request)));
  },
  { name: "errors" },
);
