/** What went wrong with a request, in the words the person sees. */
export class RequestError extends Error {
  constructor(
    readonly kind: "unreachable" | "unauthorized" | "refused",
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

export const UNREACHABLE = "Can't reach the server. Check your connection and try again.";
/** A server that accepts the connection but never answers is as unreachable as one that refuses it. */
export const REQUEST_TIMEOUT_MS = 10_000;
const GATEWAY_STATUSES = new Set([502, 503, 504]);

interface ErrorBody {
  error?: { message?: string; details?: { field: string; message: string }[] } | string;
  message?: string;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Turns an HTTP answer that is not a success into a RequestError with the server's own message. */
export function failedResponse(status: number, body: unknown): RequestError {
  if (status === 0 || GATEWAY_STATUSES.has(status)) return new RequestError("unreachable", UNREACHABLE, status);
  const { error, message } = (body ?? {}) as ErrorBody;
  const detail = typeof error === "object" ? (error.details?.[0]?.message ?? error.message) : (message ?? error);
  const text = detail ? capitalize(detail) : `The server answered ${status}.`;
  return new RequestError(status === 401 ? "unauthorized" : "refused", text, status);
}

/**
 * Any thrown thing as a RequestError: a failed fetch (TypeError) or one stopped by the timeout (a
 * DOMException) means the server could not be reached.
 */
export function toRequestError(error: unknown): RequestError {
  if (error instanceof RequestError) return error;
  if (error instanceof TypeError || (error instanceof DOMException && ["TimeoutError", "AbortError"].includes(error.name))) {
    return new RequestError("unreachable", UNREACHABLE);
  }
  return new RequestError("refused", error instanceof Error ? error.message : String(error));
}
