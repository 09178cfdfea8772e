import { createAuthClient } from "better-auth/react";
import { failedResponse, REQUEST_TIMEOUT_MS, RequestError, toRequestError } from "../api/errors";

// Same origin: Better Auth keeps the session in its httpOnly cookie; nothing is stored in the page.
export const authClient = createAuthClient({ baseURL: window.location.origin, fetchOptions: { timeout: REQUEST_TIMEOUT_MS } });

const AUTH_MESSAGES: Record<string, string> = {
  INVALID_EMAIL_OR_PASSWORD: "Wrong email or password.",
  USER_ALREADY_EXISTS: "An account with this email already exists. Sign in instead?",
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: "An account with this email already exists. Sign in instead?",
};

interface AuthAnswer {
  error: { status: number; code?: string; message?: string } | null;
}

/** Runs a Better Auth call and turns its failure into a plain message. */
export async function authRequest(call: () => Promise<AuthAnswer>): Promise<void> {
  let answer: AuthAnswer;
  try {
    answer = await call();
  } catch (error) {
    throw toRequestError(error);
  }
  const { error } = answer;
  if (!error) return;
  const known = error.code ? AUTH_MESSAGES[error.code] : undefined;
  if (known) throw new RequestError("refused", known, error.status);
  const failure = failedResponse(error.status, { message: error.message });
  // A 401 here is a refused sign-in, not an ended session.
  throw failure.kind === "unauthorized" ? new RequestError("refused", failure.message, error.status) : failure;
}
