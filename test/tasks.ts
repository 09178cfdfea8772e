import { expect } from "vitest";
import type { App } from "../src/server/app.js";
import type { Task } from "../src/server/tasks/tasks.schemas.js";
import type { TestUser } from "./users.js";

/** Creates a task through the API and returns it; fails the test on anything but 201. */
export async function createTask(app: App, user: TestUser, body: Record<string, unknown>): Promise<Task> {
  const response = await app.inject({ method: "POST", url: user.tasksUrl, headers: user.bearer, payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ data: Task }>().data;
}

export interface ListResult {
  status: number;
  tasks: Task[];
  nextCursor: string | null;
  body: Record<string, unknown>;
}

export async function listTasks(app: App, user: TestUser, query: Record<string, string | number> = {}): Promise<ListResult> {
  const params = new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]));
  const response = await app.inject({ method: "GET", url: `${user.tasksUrl}?${params}`, headers: user.bearer });
  const body = response.json();
  return { status: response.statusCode, tasks: body.data ?? [], nextCursor: body.meta?.next_cursor ?? null, body };
}

/** Follows next_cursor to the end and returns every task in order. */
export async function listAll(app: App, user: TestUser, query: Record<string, string | number> = {}): Promise<Task[]> {
  const all: Task[] = [];
  let cursor: string | null = null;
  do {
    const page = await listTasks(app, user, cursor ? { ...query, cursor } : query);
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    all.push(...page.tasks);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/**
 * The API's default order: created_at descending, then id descending. Tasks created one after
 * another can share a millisecond, so creation order alone is not the expected order.
 */
export function newestFirst(tasks: readonly Task[]): Task[] {
  return [...tasks].sort((a, b) => b.created_at.localeCompare(a.created_at) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}
