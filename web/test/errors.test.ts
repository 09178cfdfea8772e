import { describe, expect, it } from "vitest";
import { failedResponse, RequestError, toRequestError, UNREACHABLE } from "../src/api/errors";
import { authRequest } from "../src/auth/auth-client";

describe("error messages", () => {
  it("says the server cannot be reached for a failed fetch and for gateway answers", () => {
    expect(toRequestError(new TypeError("Failed to fetch"))).toMatchObject({ kind: "unreachable", message: UNREACHABLE });
    for (const status of [0, 502, 503, 504]) {
      expect(failedResponse(status, { success: false, error: { code: "SERVICE_UNAVAILABLE", message: "db down" } }).message).toBe(UNREACHABLE);
    }
    expect(toRequestError(new DOMException("signal timed out", "TimeoutError")).message).toBe(UNREACHABLE);
  });

  it("shows the server's own message for a refusal, the field's first when there are details", () => {
    const notFound = failedResponse(404, { success: false, error: { code: "NOT_FOUND", message: "task not found" } });
    expect(notFound).toMatchObject({ kind: "refused", message: "Task not found", status: 404 });
    const invalid = failedResponse(422, {
      success: false,
      error: { code: "VALIDATION_ERROR", message: "invalid", details: [{ field: "title", message: "title must be at most 200 characters" }] },
    });
    expect(invalid.message).toBe("Title must be at most 200 characters");
    expect(failedResponse(418, null).message).toBe("The server answered 418.");
  });

  it("marks a 401 as an ended session", () => {
    expect(failedResponse(401, { success: false, error: { code: "UNAUTHORIZED", message: "no session" } }).kind).toBe("unauthorized");
  });

  it("words Better Auth's refusals plainly, and a refused sign-in is not an ended session", async () => {
    const wrong = authRequest(async () => ({ error: { status: 401, code: "INVALID_EMAIL_OR_PASSWORD", message: "Invalid email or password" } }));
    await expect(wrong).rejects.toMatchObject({ kind: "refused", message: "Wrong email or password." });
    const taken = authRequest(async () => ({
      error: { status: 422, code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", message: "User already exists" },
    }));
    await expect(taken).rejects.toThrow("An account with this email already exists");
    const other = authRequest(async () => ({ error: { status: 401, code: "SOMETHING_ELSE", message: "nope" } }));
    await expect(other).rejects.toMatchObject({ kind: "refused", message: "Nope" });
    const offline = authRequest(() => Promise.reject(new TypeError("Failed to fetch")));
    await expect(offline).rejects.toEqual(new RequestError("unreachable", UNREACHABLE));
    await expect(authRequest(async () => ({ error: null }))).resolves.toBeUndefined();
  });
});
