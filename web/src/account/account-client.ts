import { failedResponse, RequestError, toRequestError } from "../api/errors";

interface AccountAnswer<T> {
  data: T | null;
  error: { status: number; code?: string; message?: string } | null;
}

/** What Better Auth's client passes to fetch for one call: here, a look at the failed response. */
interface FetchOptions {
  onError(context: { response: Response }): void;
}

const MESSAGES: Record<string, string> = {
  INVALID_PASSWORD: "That password is wrong.",
  INVALID_TOKEN: "This reset link has expired or was already used. Ask for a new one.",
  USER_NOT_FOUND: "This account no longer exists.",
};

/** "Try again in 2 minutes": Retry-After is in seconds; without it, no number is guessed. */
function tooManyAttempts(retryAfter: string | null): string {
  const seconds = Number(retryAfter);
  if (!retryAfter || !Number.isFinite(seconds) || seconds <= 0) return "Too many attempts. Wait a little, then try again.";
  const wait = seconds < 90 ? `${Math.ceil(seconds)} seconds` : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many attempts. Try again in ${wait}.`;
}

/**
 * Runs a Better Auth call of the account screens and returns its data, or throws a RequestError in
 * the person's words: a refusal by its code, a rate limit with its wait, an outage as unreachable.
 */
export async function accountRequest<T>(call: (fetchOptions: FetchOptions) => Promise<AccountAnswer<T>>): Promise<T> {
  let retryAfter: string | null = null;
  let answer: AccountAnswer<T>;
  try {
    answer = await call({
      onError: ({ response }) => {
        // Our own limits say Retry-After; Better Auth's say X-Retry-After (the server copies it).
        retryAfter = response.headers.get("retry-after") ?? response.headers.get("x-retry-after");
      },
    });
  } catch (error) {
    throw toRequestError(error);
  }
  const { data, error } = answer;
  if (!error) {
    // An empty success is not one: a proxy answering 200 with nothing would otherwise pass.
    if (data === null) throw new RequestError("refused", "The server answered without data.");
    return data;
  }
  if (error.status === 429) throw new RequestError("refused", tooManyAttempts(retryAfter), 429);
  const known = error.code ? MESSAGES[error.code] : undefined;
  if (known) throw new RequestError("refused", known, error.status);
  throw failedResponse(error.status, { message: error.message });
}
