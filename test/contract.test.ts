import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildTestApp, type TestApp } from "./app.js";

const COMMITTED = fileURLToPath(new URL("../contracts/tasks-api.yaml", import.meta.url));

let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp();
  await t.app.ready();
});
afterAll(() => t.close());

describe("the OpenAPI document", () => {
  it("the committed contracts/tasks-api.yaml is what the running server generates (npm run contract:export)", () => {
    expect(readFileSync(COMMITTED, "utf8")).toBe(t.app.swagger({ yaml: true }));
  });

  it("is served at /openapi.json and describes every task route with its error responses", async () => {
    const response = await t.app.inject({ method: "GET", url: "/openapi.json" });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document).toEqual(parse(readFileSync(COMMITTED, "utf8")));
    expect(document.openapi).toBe("3.1.0");
    expect(Object.keys(document.paths).sort()).toEqual([
      "/api/auth/delete-user",
      "/api/auth/get-session",
      "/api/auth/jwks",
      "/api/auth/sign-in/email",
      "/api/auth/sign-out",
      "/api/auth/sign-up/email",
      "/api/auth/token",
      "/api/{user_id}/tasks",
      "/api/{user_id}/tasks/counts",
      "/api/{user_id}/tasks/{task_id}",
      "/api/{user_id}/tasks/{task_id}/complete",
      "/healthz",
      "/readyz",
    ]);
    const one = document.paths["/api/{user_id}/tasks/{task_id}"];
    expect(Object.keys(one).sort()).toEqual(["delete", "get", "patch", "put"]);
    expect(Object.keys(one.put.responses).sort()).toEqual(["200", "400", "401", "403", "404", "412", "413", "415", "422", "429", "500", "503"]);
    expect(document.paths["/api/{user_id}/tasks"].post.responses["201"]).toBeDefined();
    expect(Object.keys(document.paths["/api/{user_id}/tasks"]).sort()).toEqual(["delete", "get", "patch", "post"]);
  });

  it("names every task operation and lists every error it can answer: a body's 400, 413 and 415 wherever one is parsed", async () => {
    const document = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json();
    const operations = Object.entries(
      document.paths as Record<string, Record<string, { operationId?: string; description?: string; responses: object }>>,
    )
      .filter(([path]) => path.startsWith("/api/") && !path.startsWith("/api/auth/"))
      .flatMap(([, methods]) => Object.entries(methods));
    expect(operations.map(([, operation]) => operation.operationId).sort()).toEqual([
      "countTasks",
      "createTask",
      "deleteTask",
      "deleteTasksByStatus",
      "getTask",
      "listTasks",
      "replaceTask",
      "setAllTasksCompletion",
      "setTaskCompletion",
      "updateTask",
    ]);
    for (const [method, operation] of operations) {
      expect(operation.description, operation.operationId).toBeTruthy();
      const statuses = Object.keys(operation.responses);
      for (const status of ["401", "403", "422", "429", "500", "503"]) expect(statuses, `${operation.operationId} ${status}`).toContain(status);
      if (method !== "get") for (const status of ["400", "413", "415"]) expect(statuses, `${operation.operationId} ${status}`).toContain(status);
    }
  });
});

describe("the interactive reference at /docs", () => {
  it("is an HTML page whose scripts and styles all come from this server", async () => {
    const page = await t.app.inject({ method: "GET", url: "/docs/" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toContain("text/html");
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset, "no CDN: the reference must work offline").not.toMatch(/^(https?:)?\/\//);
      const response = await t.app.inject({ method: "GET", url: new URL(asset, "http://localhost/docs/").pathname });
      expect(response.statusCode, asset).toBe(200);
    }
  });

  it("loads the document from this server", async () => {
    const initializer = await t.app.inject({ method: "GET", url: "/docs/static/swagger-initializer.js" });
    expect(initializer.statusCode).toBe(200);
    expect(initializer.body).toContain("url: resolveUrl('./json')");
    const json = await t.app.inject({ method: "GET", url: "/docs/json" });
    expect(json.statusCode).toBe(200);
    expect(json.json().info.title).toBe("Ticked task API");
  });
});
