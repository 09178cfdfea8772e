import { randomUUID } from "node:crypto";
import type { APIRequestContext } from "@playwright/test";

export interface Account {
  id: string;
  name: string;
  email: string;
  password: string;
}

export function newAccount(name = "Ada Lovelace"): Omit<Account, "id"> {
  return { name, email: `ada-${randomUUID().slice(0, 12)}@example.com`, password: "correct horse battery" };
}

/**
 * Signs an account up through Better Auth's endpoint. Given a browser context's `request`, the context
 * then holds the session cookie exactly as if the person had used the form (the form is tested too).
 */
export async function signUp(request: APIRequestContext, baseUrl: string, account = newAccount()): Promise<Account> {
  const response = await request.post(`${baseUrl}/api/auth/sign-up/email`, {
    data: account,
    headers: { origin: baseUrl },
  });
  if (!response.ok()) throw new Error(`sign-up failed: ${response.status()} ${await response.text()}`);
  const { user } = (await response.json()) as { user: { id: string } };
  return { ...account, id: user.id };
}

/** The user id of the session held by `request` (a browser context's). */
export async function signedInUserId(request: APIRequestContext, baseUrl: string): Promise<string> {
  const response = await request.get(`${baseUrl}/api/auth/get-session`);
  const session = (await response.json()) as { user: { id: string } } | null;
  if (!session) throw new Error("not signed in");
  return session.user.id;
}

export interface ListedTask {
  title: string;
  description: string | null;
  completed: boolean;
}

/** A bearer client of the task API for one signed-in context, for seeding and checking behind the UI. */
export async function taskApi(request: APIRequestContext, baseUrl: string, userId: string) {
  const tokenResponse = await request.get(`${baseUrl}/api/auth/token`);
  if (!tokenResponse.ok()) throw new Error(`token failed: ${tokenResponse.status()}`);
  const { token } = (await tokenResponse.json()) as { token: string };
  const tasksUrl = `${baseUrl}/api/${userId}/tasks`;
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };

  async function create(task: { title: string; description?: string; completed?: boolean }) {
    const response = await fetch(tasksUrl, { method: "POST", headers, body: JSON.stringify(task) });
    if (response.status !== 201) throw new Error(`create failed: ${response.status} ${await response.text()}`);
  }

  return {
    /** Creates the tasks one after another, so the last is the newest. */
    async createMany(titles: string[]) {
      for (const title of titles) await create({ title });
    },
    create,
    /** Every task of the user, all pages, in the API's default order (newest first). */
    async list(): Promise<ListedTask[]> {
      const tasks: ListedTask[] = [];
      let cursor: string | null = null;
      do {
        const url = new URL(tasksUrl);
        url.searchParams.set("limit", "200");
        if (cursor) url.searchParams.set("cursor", cursor);
        const response = await fetch(url, { headers });
        if (!response.ok) throw new Error(`list failed: ${response.status}`);
        const body = (await response.json()) as { data: never[]; meta: { next_cursor: string | null } };
        tasks.push(...body.data);
        cursor = body.meta.next_cursor;
      } while (cursor);
      return tasks;
    },
  };
}
