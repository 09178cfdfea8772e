import { connect } from "node:net";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp, TEST_ORIGIN, type TestApp } from "./app.js";
import { signUp, type TestUser } from "./users.js";

let t: TestApp;
let user: TestUser;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MISSING_TASK_ID = "6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f";
const CRASH_MESSAGE = "boom: secret detail /etc/passwd";

beforeAll(async () => {
  t = await buildTestApp();
  // Registered before the app is ready (the first inject readies it).
  t.app.get("/api/test-crash", async () => {
    throw new Error(CRASH_MESSAGE);
  });
  user = await signUp(t.app);
});
afterAll(() => t.close());

function inject(options: InjectOptions): Promise<LightMyRequestResponse> {
  return t.app.inject(options);
}

/** The contract's error envelope: JSON, exactly {success: false, error: {code, message}}, with a request id. */
function expectError(response: LightMyRequestResponse, status: number, code: string) {
  expect(response.headers["content-type"]).toMatch(/^application\/json/);
  expect({ status: response.statusCode, body: response.json() }).toEqual({
    status,
    body: { success: false, error: { code, message: expect.any(String) } },
  });
  expect(response.json().error.message).not.toBe("");
  expect(response.headers["x-request-id"]).toEqual(expect.any(String));
}

/** Parsed pino lines of one request. */
function logLinesOf(logs: string[], requestId: string): Record<string, unknown>[] {
  return logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.reqId === requestId);
}

function postRaw(url: string, contentType: string, payload: string, headers: Record<string, string> = user.bearer) {
  return inject({ method: "POST", url, headers: { ...headers, "content-type": contentType }, payload });
}

async function taskCount(owner: TestUser): Promise<number> {
  const response = await inject({ method: "GET", url: owner.tasksUrl, headers: owner.bearer });
  expect(response.statusCode).toBe(200);
  return response.json<{ meta: { count: number } }>().meta.count;
}

describe("unknown routes", () => {
  it("an unknown route under /api is a 404 NOT_FOUND envelope", async () => {
    expectError(await inject({ method: "GET", url: "/api/nope" }), 404, "NOT_FOUND");
    expectError(await inject({ method: "GET", url: `${user.tasksUrl}/${MISSING_TASK_ID}/complete/extra` }), 404, "NOT_FOUND");
    expectError(await inject({ method: "POST", url: "/api/nope", headers: user.bearer, payload: { a: 1 } }), 404, "NOT_FOUND");
  });

  it("an unknown route outside /api is a 404 NOT_FOUND envelope", async () => {
    expectError(await inject({ method: "GET", url: "/nope" }), 404, "NOT_FOUND");
  });
});

describe("wrong methods", () => {
  it("PUT on the task list is a 405 with Allow listing the list's methods", async () => {
    const response = await inject({ method: "PUT", url: user.tasksUrl, headers: user.bearer, payload: { title: "x" } });
    expectError(response, 405, "METHOD_NOT_ALLOWED");
    expect(response.headers.allow).toBe("DELETE, GET, HEAD, PATCH, POST");
  });

  it("DELETE on the task list without a status is a 422, so a bare DELETE never empties it", async () => {
    const response = await inject({ method: "DELETE", url: user.tasksUrl, headers: user.bearer });
    expect(response.statusCode).toBe(422);
    expect(response.json().error).toMatchObject({ code: "VALIDATION_ERROR", details: [{ field: "status" }] });
  });

  it("POST on one task is a 405 with Allow listing the task's methods", async () => {
    const response = await inject({ method: "POST", url: `${user.tasksUrl}/${MISSING_TASK_ID}`, headers: user.bearer, payload: { title: "x" } });
    expectError(response, 405, "METHOD_NOT_ALLOWED");
    expect(response.headers.allow).toBe("DELETE, GET, HEAD, PATCH, PUT");
  });

  it("POST on the completion toggle is a 405 with Allow: PATCH", async () => {
    const response = await inject({ method: "POST", url: `${user.tasksUrl}/${MISSING_TASK_ID}/complete`, headers: user.bearer });
    expectError(response, 405, "METHOD_NOT_ALLOWED");
    expect(response.headers.allow).toBe("PATCH");
  });

  it("POST on /healthz is a 405 with Allow: GET, HEAD", async () => {
    const response = await inject({ method: "POST", url: "/healthz", payload: {} });
    expectError(response, 405, "METHOD_NOT_ALLOWED");
    expect(response.headers.allow).toBe("GET, HEAD");
  });
});

describe("request bodies", () => {
  it("malformed JSON is a 400 BAD_REQUEST", async () => {
    expectError(await postRaw(user.tasksUrl, "application/json", '{"title": '), 400, "BAD_REQUEST");
    expectError(await postRaw(user.tasksUrl, "application/json", '{"title": "a"} trailing'), 400, "BAD_REQUEST");
    expectError(await postRaw(user.tasksUrl, "application/json; charset=utf-8", "{'title': 'a'}"), 400, "BAD_REQUEST");
  });

  it("a body of 64 KiB + 1 byte is a 413 PAYLOAD_TOO_LARGE; exactly 64 KiB is read", async () => {
    const prefix = '{"title":"x","description":"';
    const suffix = '"}';
    const body = (bytes: number) => `${prefix}${"a".repeat(bytes - prefix.length - suffix.length)}${suffix}`;
    expect(Buffer.byteLength(body(64 * 1024 + 1))).toBe(65537);

    expectError(await postRaw(user.tasksUrl, "application/json", body(64 * 1024 + 1)), 413, "PAYLOAD_TOO_LARGE");
    // At the limit the body is parsed and judged on its merits: the description is too long.
    const atLimit = await postRaw(user.tasksUrl, "application/json", body(64 * 1024));
    expect(atLimit.statusCode).toBe(422);
    expect(atLimit.json()).toMatchObject({ success: false, error: { code: "VALIDATION_ERROR" } });
  });

  it("a text/plain body is a 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    expectError(await postRaw(user.tasksUrl, "text/plain", '{"title":"x"}'), 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("a form body is a 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    expectError(await postRaw(user.tasksUrl, "application/x-www-form-urlencoded", "title=x"), 415, "UNSUPPORTED_MEDIA_TYPE");
    expectError(
      await postRaw(user.tasksUrl, "multipart/form-data; boundary=b", '--b\r\nContent-Disposition: form-data; name="title"\r\n\r\nx\r\n--b--\r\n'),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("a non-JSON body on an update is a 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const response = await inject({
      method: "PATCH",
      url: `${user.tasksUrl}/${MISSING_TASK_ID}`,
      headers: { ...user.bearer, "content-type": "application/x-www-form-urlencoded" },
      payload: "title=x",
    });
    expectError(response, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("a body on a DELETE is parsed too, so its 415 and 400 are the route's answers (as its schema lists)", async () => {
    const url = `${user.tasksUrl}/${MISSING_TASK_ID}`;
    expectError(
      await inject({ method: "DELETE", url, headers: { ...user.bearer, "content-type": "text/plain" }, payload: "x" }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    expectError(
      await inject({ method: "DELETE", url, headers: { ...user.bearer, "content-type": "application/json" }, payload: "{" }),
      400,
      "BAD_REQUEST",
    );
  });

  it("JSON with a __proto__ or constructor key is refused with a 400 or 422, never a 500, and pollutes nothing", async () => {
    const owner = await signUp(t.app);
    const payloads = [
      '{"title":"x","__proto__":{"completed":true,"polluted":true}}',
      '{"title":"x","constructor":{"prototype":{"polluted":true}}}',
      '{"__proto__":{"title":"x"}}',
    ];
    for (const payload of payloads) {
      const response = await postRaw(owner.tasksUrl, "application/json", payload, owner.bearer);
      expect([400, 422], `${payload} answered ${response.statusCode}`).toContain(response.statusCode);
      expectError(response, response.statusCode, response.statusCode === 400 ? "BAD_REQUEST" : "VALIDATION_ERROR");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await taskCount(owner)).toBe(0);
  });
});

describe("rate limiting", () => {
  let limited: TestApp;

  beforeAll(async () => {
    limited = await buildTestApp({ RATE_LIMIT_PER_MINUTE: "3" });
  });
  afterAll(() => limited.close());

  it("the request over the limit is a 429 RATE_LIMITED with Retry-After", async () => {
    const owner = await signUp(limited.app);
    const statuses: number[] = [];
    let last: LightMyRequestResponse | undefined;
    for (let i = 0; i < 4; i++) {
      last = await limited.app.inject({ method: "GET", url: owner.tasksUrl, headers: owner.bearer });
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expectError(last!, 429, "RATE_LIMITED");
    const retryAfter = String(last!.headers["retry-after"]);
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
  });

  it("the limit is per user: another user is not throttled by the first one's requests", async () => {
    const busy = await signUp(limited.app);
    const quiet = await signUp(limited.app);
    for (let i = 0; i < 4; i++) await limited.app.inject({ method: "GET", url: busy.tasksUrl, headers: busy.bearer });
    const response = await limited.app.inject({ method: "GET", url: quiet.tasksUrl, headers: quiet.bearer });
    expect(response.statusCode).toBe(200);
  });
});

describe("unexpected errors", () => {
  it("a crash is a 500 INTERNAL_ERROR with a generic message: no error text, stack or file path", async () => {
    const response = await inject({ method: "GET", url: "/api/test-crash" });
    expectError(response, 500, "INTERNAL_ERROR");
    expect(response.body).not.toContain("boom");
    expect(response.body).not.toContain("secret detail");
    expect(response.body).not.toContain("/etc/passwd");
    expect(response.body).not.toMatch(/\bat .+:\d+:\d+/);
    expect(response.body).not.toMatch(/\.(ts|js|mjs)\b/);
    expect(response.body).not.toContain("stack");
  });

  it("a crash is logged in full under the response's request id", async () => {
    const response = await inject({ method: "GET", url: "/api/test-crash" });
    const id = String(response.headers["x-request-id"]);
    const errorLines = logLinesOf(t.logs, id).filter((entry) => JSON.stringify(entry).includes(CRASH_MESSAGE));
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]!.level).toBe(50);
    expect(JSON.stringify(errorLines[0])).toContain("stack");
  });
});

describe("database unavailable", () => {
  let down: TestApp;
  let owner: TestUser;

  beforeAll(async () => {
    down = await buildTestApp();
    owner = await signUp(down.app);
    await down.app.database.close();
  });
  // The database is already closed; closing it again may reject (pg: "Called end on pool more than once").
  afterAll(() => down.close().catch(() => {}));

  async function timed(options: InjectOptions) {
    const started = performance.now();
    const response = await down.app.inject(options);
    return { response, ms: performance.now() - started };
  }

  it("the task list with a valid token is a quick 503 SERVICE_UNAVAILABLE", async () => {
    const { response, ms } = await timed({ method: "GET", url: owner.tasksUrl, headers: owner.bearer });
    expectError(response, 503, "SERVICE_UNAVAILABLE");
    expect(ms).toBeLessThan(2000);
  });

  it("creating a task with a valid token is a quick 503 SERVICE_UNAVAILABLE", async () => {
    const { response, ms } = await timed({ method: "POST", url: owner.tasksUrl, headers: owner.bearer, payload: { title: "x" } });
    expectError(response, 503, "SERVICE_UNAVAILABLE");
    expect(ms).toBeLessThan(2000);
  });

  it("account routes are a quick 503 too: sign-in, and a token for a valid session", async () => {
    const signIn = await timed({
      method: "POST",
      url: "/api/auth/sign-in/email",
      headers: { origin: TEST_ORIGIN },
      payload: { email: owner.email, password: owner.password },
    });
    expectError(signIn.response, 503, "SERVICE_UNAVAILABLE");
    expect(signIn.ms).toBeLessThan(2000);
    const token = await timed({ method: "GET", url: "/api/auth/token", headers: { cookie: owner.cookie } });
    expectError(token.response, 503, "SERVICE_UNAVAILABLE");
    const tasksByCookie = await timed({ method: "GET", url: owner.tasksUrl, headers: { cookie: owner.cookie } });
    expectError(tasksByCookie.response, 503, "SERVICE_UNAVAILABLE");
  });

  it("/readyz is a quick 503 SERVICE_UNAVAILABLE", async () => {
    const { response, ms } = await timed({ method: "GET", url: "/readyz" });
    expectError(response, 503, "SERVICE_UNAVAILABLE");
    expect(ms).toBeLessThan(2000);
  });

  it("/healthz is still 200", async () => {
    const response = await down.app.inject({ method: "GET", url: "/healthz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, data: { status: "ok" }, message: "Up" });
  });
});

describe("request ids", () => {
  it("every response carries an x-request-id", async () => {
    const requests: InjectOptions[] = [
      { method: "GET", url: "/healthz" },
      { method: "GET", url: user.tasksUrl, headers: user.bearer },
      { method: "GET", url: user.tasksUrl },
      { method: "GET", url: "/api/nope" },
      { method: "PUT", url: user.tasksUrl, headers: user.bearer },
      { method: "GET", url: "/api/auth/get-session" },
      { method: "GET", url: "/api/test-crash" },
    ];
    const ids = new Set<string>();
    for (const request of requests) {
      const response = await inject(request);
      const id = response.headers["x-request-id"];
      expect(id, `${request.method} ${request.url}`).toMatch(UUID);
      ids.add(String(id));
    }
    expect(ids.size).toBe(requests.length);
  });

  it("a sane incoming x-request-id is echoed and logged", async () => {
    const given = `trace-${Date.now()}.abc:def_1`;
    const response = await inject({ method: "GET", url: user.tasksUrl, headers: { ...user.bearer, "x-request-id": given } });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-request-id"]).toBe(given);
    // One line per request: what was asked and how it was answered.
    expect(logLinesOf(t.logs, given)).toEqual([
      expect.objectContaining({
        msg: "request completed",
        req: expect.objectContaining({ method: "GET", url: user.tasksUrl }),
        res: { statusCode: 200 },
      }),
    ]);
  });

  it("an insane incoming x-request-id is replaced, and the log uses the replacement", async () => {
    for (const insane of ["a".repeat(300), "has spaces in it", "<script>", "id\u00e9"]) {
      const response = await inject({ method: "GET", url: "/healthz", headers: { "x-request-id": insane } });
      expect(response.statusCode).toBe(200);
      const id = String(response.headers["x-request-id"]);
      expect(id).not.toBe(insane);
      expect(id).toMatch(UUID);
      expect(logLinesOf(t.logs, id).length).toBeGreaterThan(0);
      expect(t.logs.some((line) => line.includes(`"reqId":${JSON.stringify(insane)}`))).toBe(false);
    }
  });

  it("the log line for a request has the id of its response", async () => {
    const response = await inject({ method: "GET", url: `${user.tasksUrl}/${MISSING_TASK_ID}`, headers: user.bearer });
    expectError(response, 404, "NOT_FOUND");
    const completed = logLinesOf(t.logs, String(response.headers["x-request-id"])).find((entry) => entry.msg === "request completed");
    expect(completed).toMatchObject({ res: { statusCode: 404 } });
  });
});

describe("content type of errors under /api", () => {
  it("no error under /api is HTML, plain text or empty", async () => {
    const cases: [InjectOptions, number][] = [
      [{ method: "GET", url: "/api/nope" }, 404],
      [{ method: "GET", url: "/api/nope/", headers: { accept: "text/html" } }, 404],
      [{ method: "GET", url: user.tasksUrl, headers: { accept: "text/html" } }, 401],
      [{ method: "PUT", url: user.tasksUrl, headers: { accept: "text/html" } }, 405],
      [{ method: "POST", url: user.tasksUrl, headers: { ...user.bearer, "content-type": "application/json" }, payload: "{" }, 400],
      [{ method: "GET", url: `${user.tasksUrl}/not-a-uuid`, headers: user.bearer }, 422],
      [{ method: "GET", url: "/api/test-crash", headers: { accept: "text/html" } }, 500],
    ];
    for (const [request, status] of cases) {
      const response = await inject(request);
      const label = `${request.method} ${request.url}`;
      expect({ label, status: response.statusCode }).toEqual({ label, status });
      expect(response.headers["content-type"], label).toMatch(/^application\/json/);
      expect(response.body.length, label).toBeGreaterThan(0);
      expect(response.body, label).not.toMatch(/<html|<!doctype/i);
      expect(response.json(), label).toMatchObject({ success: false, error: { code: expect.any(String) } });
    }
  });
});

describe("service routes", () => {
  it("/healthz is 200", async () => {
    const response = await inject({ method: "GET", url: "/healthz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, data: { status: "ok" }, message: "Up" });
  });

  it("/readyz is 200 when the database answers", async () => {
    const response = await inject({ method: "GET", url: "/readyz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ success: true, data: { status: "ready" }, message: "Ready" });
  });
});

describe("requests Node's HTTP parser refuses", () => {
  let port: number;

  beforeAll(async () => {
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    port = (t.app.server.address() as { port: number }).port;
  });

  /** Sends bytes as they are (no client library would send these) and returns the parsed answer. */
  function raw(head: string | Buffer): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () => socket.end(head));
      const chunks: Buffer[] = [];
      socket.on("data", (chunk) => chunks.push(chunk));
      socket.on("error", reject);
      socket.on("close", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const [headText = "", body = ""] = text.split("\r\n\r\n");
        const [statusLine = "", ...lines] = headText.split("\r\n");
        const headers = Object.fromEntries(
          lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
        );
        resolve({ status: Number(statusLine.split(" ")[1]), headers, body });
      });
    });
  }

  function expectRawError(answer: Awaited<ReturnType<typeof raw>>, status: number) {
    expect(answer.status).toBe(status);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.headers["x-request-id"]).toMatch(UUID);
    expect(JSON.parse(answer.body)).toEqual({ success: false, error: { code: "BAD_REQUEST", message: expect.any(String) } });
  }

  it("a malformed percent-encoding in the URL is a 400 in the envelope", async () => {
    expectRawError(await raw(`GET ${user.tasksUrl}/% HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`), 400);
  });

  it("a raw non-ASCII byte in the URL is a 400 in the envelope", async () => {
    const head = Buffer.concat([
      Buffer.from(`GET ${user.tasksUrl}?q=`),
      Buffer.from("Москва", "utf8"),
      Buffer.from(" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    ]);
    expectRawError(await raw(head), 400);
  });

  it("oversized headers are a 431 in the envelope", async () => {
    const answer = await raw(`GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expectRawError(answer, 431);
  });
});

describe("HEAD", () => {
  it("HEAD on an account route answers like its GET, without a body", async () => {
    const head = await inject({ method: "HEAD", url: "/api/auth/jwks" });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
  });
});
