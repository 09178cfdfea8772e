// PostgreSQL error classes and driver failures that mean "the database cannot serve us right now"
// rather than "this request is wrong": connection exceptions (08), operator intervention (57:
// shutdown, statement timeout), too many connections (53300), the database itself gone (3D000).
const UNAVAILABLE_SQLSTATE = /^(08|57)|^53300$|^3D000$/;
const UNAVAILABLE_NODE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "EPIPE", "EAI_AGAIN"]);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|PGlite is closed|Cannot use a pool after calling end/i;

function* causes(error: unknown): Generator<unknown> {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

export function isDatabaseUnavailable(error: unknown): boolean {
  for (const cause of causes(error)) {
    const { code, message } = cause as { code?: unknown; message?: unknown };
    if (typeof code === "string" && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_NODE_CODES.has(code))) return true;
    if (typeof message === "string" && UNAVAILABLE_MESSAGES.test(message)) return true;
  }
  return false;
}

/** The SQLSTATE of a PostgreSQL error, looking through Drizzle's wrapper. */
export function sqlState(error: unknown): string | undefined {
  for (const cause of causes(error)) {
    const { code } = cause as { code?: unknown };
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * What an error may put in the log. Drizzle's message repeats the statement's parameters, and
 * PostgreSQL's detail quotes row values: both can hold session tokens, password hashes or emails.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  const { name, message, stack, query } = error as { name?: string; message?: string; stack?: string; query?: unknown };
  const cause = (error as { cause?: unknown }).cause;
  const safe: Record<string, unknown> = {
    type: name,
    message: typeof query === "string" ? `failed query: ${query}` : message,
    sqlState: sqlState(error),
    stack: typeof query === "string" ? undefined : stack,
  };
  if (cause && cause !== error) safe.cause = loggableError(cause);
  return safe;
}
