import createClient from "openapi-fetch";
import { failedResponse, REQUEST_TIMEOUT_MS, toRequestError } from "./errors";
import type { paths } from "./schema";

function fetchWithTimeout(request: Request): Promise<Response> {
  return fetch(request, { signal: AbortSignal.any([request.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) });
}

/** The task API, typed from contracts/tasks-api.yaml; the session cookie authenticates it. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: "same-origin", fetch: fetchWithTimeout });

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The envelope of a successful answer, or a RequestError (a network failure included). */
export async function envelope<T>(request: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await request;
  } catch (error) {
    throw toRequestError(error);
  }
  if (answer.data === undefined) throw failedResponse(answer.response.status, answer.error);
  return answer.data;
}

/** The data of a successful answer's envelope. */
export const unwrap = async <T extends { data: unknown }>(request: Promise<Answer<T>>): Promise<T["data"]> => (await envelope(request)).data;
