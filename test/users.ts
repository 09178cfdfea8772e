import { randomUUID } from "node:crypto";
import type { App } from "../src/server/app.js";
import { TEST_ORIGIN } from "./app.js";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  /** The session cookie, as a Cookie header value. */
  cookie: string;
  token: string;
  /** Headers for bearer-authenticated task requests. */
  bearer: { authorization: string };
  /** The task API path prefix: /api/{id}/tasks */
  tasksUrl: string;
}

function sessionCookie(setCookie: string | string[] | undefined): string {
  const cookies = [setCookie ?? []].flat();
  const session = cookies.find((cookie) => cookie.includes("session_token="));
  if (!session) throw new Error(`sign-up set no session cookie: ${JSON.stringify(cookies)}`);
  return session.split(";", 1)[0]!;
}

/** Signs a new user up through the public endpoint and fetches a JWT, as any client would. */
export async function signUp(app: App, name = "Test User"): Promise<TestUser> {
  const email = `user-${randomUUID()}@example.com`;
  const password = "correct horse battery staple";
  const response = await app.inject({
    method: "POST",
    url: "/api/auth/sign-up/email",
    headers: { origin: TEST_ORIGIN },
    payload: { name, email, password },
  });
  if (response.statusCode !== 200) throw new Error(`sign-up failed: ${response.statusCode} ${response.body}`);
  const id = response.json<{ user: { id: string } }>().user.id;
  const cookie = sessionCookie(response.headers["set-cookie"]);
  const tokenResponse = await app.inject({ method: "GET", url: "/api/auth/token", headers: { cookie } });
  if (tokenResponse.statusCode !== 200) throw new Error(`token failed: ${tokenResponse.statusCode} ${tokenResponse.body}`);
  const token = tokenResponse.json<{ token: string }>().token;
  return { id, email, password, cookie, token, bearer: { authorization: `Bearer ${token}` }, tasksUrl: `/api/${id}/tasks` };
}
