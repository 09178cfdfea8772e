import { PASSWORD_MAX, PASSWORD_MIN } from "../../shared/rules.js";

/**
 * The account routes the web app and the README's walkthrough use, for the OpenAPI document. Better
 * Auth serves them through one catch-all route (auth.routes.ts) that the document cannot describe, so
 * their shapes are written here, as Better Auth 1.7 answers them with our settings (email and password,
 * JWT plugin, deleteUser enabled). Better Auth's own OpenAPI plugin would describe all of its routes,
 * most of which this app neither uses nor tests.
 */

/**
 * JSON values in OpenAPI 3.1's shapes; Spectral and Redocly (npm run lint) check them. openapi-types'
 * 3.1 operation types still take 3.0 schemas, which cannot say "null".
 */
type Schema = { [keyword: string]: unknown };
type Response = { description: string; headers?: Schema; content?: Schema };
type Responses = { [status: string]: Response };
type Operation = Schema & { operationId: string; responses: Responses };
type PathItem = { get?: Operation; post?: Operation };

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ "application/json": { schema } });
const nullable = (schema: Schema): Schema => ({ oneOf: [schema, { type: "null" }] });

export const ACCOUNT_SCHEMAS: Record<string, Schema> = {
  AccountUser: {
    type: "object",
    description: "An account. Its id is the {user_id} of the task API.",
    required: ["id", "name", "email", "emailVerified", "image", "createdAt", "updatedAt"],
    properties: {
      id: { type: "string" },
      name: { type: "string" },
      email: { type: "string", format: "email", description: "Trimmed and in lower case, as stored." },
      emailVerified: { type: "boolean", description: "Always false: this app sends no verification mail." },
      image: { type: ["string", "null"] },
      createdAt: { type: "string", format: "date-time" },
      updatedAt: { type: "string", format: "date-time" },
    },
  },
  AccountSession: {
    type: "object",
    required: ["id", "token", "userId", "expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent"],
    properties: {
      id: { type: "string" },
      token: { type: "string", description: "The session token, also the value of the session cookie." },
      userId: { type: "string" },
      expiresAt: { type: "string", format: "date-time", description: "Seven days after the session was created or last refreshed." },
      createdAt: { type: "string", format: "date-time" },
      updatedAt: { type: "string", format: "date-time" },
      ipAddress: { type: ["string", "null"] },
      userAgent: { type: ["string", "null"] },
    },
  },
  AccountError: {
    type: "object",
    description: "A refusal in Better Auth's own format (its client library reads it), not the task API's envelope.",
    required: ["message"],
    properties: {
      message: { type: "string" },
      code: { type: "string", description: "e.g. INVALID_EMAIL_OR_PASSWORD, USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL, VALIDATION_ERROR" },
    },
  },
};

const retryAfter = { "retry-after": { description: "Seconds to wait before trying again.", schema: { type: "integer" } } };
const sessionCookieSet = {
  "set-cookie": { description: "The session cookie (better-auth.session_token; __Secure- prefixed over HTTPS).", schema: { type: "string" } },
};
const sessionCookieCleared = { "set-cookie": { description: "The session cookies, cleared.", schema: { type: "string" } } };

const refused = (description: string): Response => ({ description, content: json(ref("AccountError")) });

/** Answers every account route can give: Better Auth's per-address limit, or ours; crashes and outages in the envelope. */
const commonResponses: Responses = {
  429: {
    description: "Too many requests: Better Auth's per-address limit (its format), or on sign-in our per-account limit on failures (the envelope).",
    headers: retryAfter,
    content: json({ anyOf: [ref("AccountError"), ref("ErrorEnvelope")] }),
  },
  500: { description: "Something unexpected; the log holds the details under the x-request-id.", content: json(ref("ErrorEnvelope")) },
  503: {
    description: "The database cannot be reached; retry after the Retry-After header's seconds.",
    headers: retryAfter,
    content: json(ref("ErrorEnvelope")),
  },
};

/** Further answers of the routes that take a request body. */
const writeResponses: Responses = {
  403: {
    description:
      "A write from an origin the server does not trust: our check for cookie-carrying writes (the envelope) or Better Auth's (its format).",
    content: json({ anyOf: [ref("ErrorEnvelope"), ref("AccountError")] }),
  },
  413: { description: "The body is over 64 KiB.", content: json(ref("ErrorEnvelope")) },
  ...commonResponses,
};

const password = (description: string): Schema => ({
  type: "string",
  minLength: PASSWORD_MIN,
  maxLength: PASSWORD_MAX,
  description,
});

const TAGS = ["accounts"];

export const ACCOUNT_PATHS: Record<string, PathItem> = {
  "/api/auth/sign-up/email": {
    post: {
      operationId: "signUpWithEmail",
      tags: TAGS,
      summary: "Create an account and sign in",
      description: "Creates the account and answers with the session cookie set, as a sign-in does. The user's id is the {user_id} of the task API.",
      security: [],
      requestBody: {
        required: true,
        content: json({
          type: "object",
          required: ["name", "email", "password"],
          properties: {
            name: { type: "string" },
            email: { type: "string", format: "email" },
            password: password("Counted in characters."),
            rememberMe: { type: "boolean", default: true, description: "false: the session ends with the browser." },
          },
        }),
      },
      responses: {
        200: {
          description: "The account, signed in.",
          headers: sessionCookieSet,
          content: json({
            type: "object",
            required: ["token", "user"],
            properties: { token: { type: "string", description: "The session token, also set as the cookie." }, user: ref("AccountUser") },
          }),
        },
        400: refused("A field is missing or malformed (VALIDATION_ERROR), or the password is too short or too long."),
        422: refused("An account with this email already exists (USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL)."),
        ...writeResponses,
      },
    },
  },
  "/api/auth/sign-in/email": {
    post: {
      operationId: "signInWithEmail",
      tags: TAGS,
      summary: "Sign in with email and password",
      description:
        "Starts a session and sets its cookie. Repeated failures for one account are limited whatever address they come from (429 with Retry-After).",
      security: [],
      requestBody: {
        required: true,
        content: json({
          type: "object",
          required: ["email", "password"],
          properties: {
            email: { type: "string", format: "email", description: "Compared trimmed and in lower case." },
            password: { type: "string" },
            rememberMe: { type: "boolean", default: true, description: "false: the session ends with the browser." },
          },
        }),
      },
      responses: {
        200: {
          description: "Signed in.",
          headers: sessionCookieSet,
          content: json({
            type: "object",
            required: ["redirect", "token", "user"],
            properties: {
              redirect: { type: "boolean", description: "Always false: this app passes no callback URL." },
              token: { type: "string", description: "The session token, also set as the cookie." },
              user: ref("AccountUser"),
            },
          }),
        },
        400: refused("A field is missing or malformed (VALIDATION_ERROR)."),
        401: refused("Wrong email or password (INVALID_EMAIL_OR_PASSWORD); which of the two is not said."),
        ...writeResponses,
      },
    },
  },
  "/api/auth/sign-out": {
    post: {
      operationId: "signOut",
      tags: TAGS,
      summary: "End the session",
      description: "Ends the session of the cookie sent and clears the cookies. Takes no body. Without a session it answers the same.",
      security: [{ sessionCookie: [] }, {}],
      responses: {
        200: {
          description: "Signed out.",
          headers: sessionCookieCleared,
          content: json({ type: "object", required: ["success"], properties: { success: { type: "boolean", const: true } } }),
        },
        ...writeResponses,
      },
    },
  },
  "/api/auth/get-session": {
    get: {
      operationId: "getSession",
      tags: TAGS,
      summary: "The current session and its user",
      description: "Answers 200 with null when the request carries no valid session: a client asks this to learn whether it is signed in.",
      security: [{ sessionCookie: [] }, {}],
      responses: {
        200: {
          description: "The session and user, or null.",
          content: json(
            nullable({ type: "object", required: ["session", "user"], properties: { session: ref("AccountSession"), user: ref("AccountUser") } }),
          ),
        },
        ...commonResponses,
      },
    },
  },
  "/api/auth/token": {
    get: {
      operationId: "getToken",
      tags: TAGS,
      summary: "Exchange the session for a JWT",
      description:
        "A JWT for `Authorization: Bearer` on the task API: EdDSA, 15 minutes, claims sub (the user id), iss and aud (the server's public URL), iat and exp. Verify it with the keys at GET /api/auth/jwks.",
      security: [{ sessionCookie: [] }],
      responses: {
        200: {
          description: "A fresh token.",
          content: json({ type: "object", required: ["token"], properties: { token: { type: "string" } } }),
        },
        401: refused("No valid session (UNAUTHORIZED)."),
        ...commonResponses,
      },
    },
  },
  "/api/auth/jwks": {
    get: {
      operationId: "getJsonWebKeySet",
      tags: TAGS,
      summary: "The public keys that sign the JWTs",
      description:
        "A JSON Web Key Set (RFC 7517). A token's kid names its key; a key unknown to a verifier means the keys were rotated: fetch them again.",
      security: [],
      responses: {
        200: {
          description: "The public keys.",
          content: json({
            type: "object",
            required: ["keys"],
            properties: {
              keys: {
                type: "array",
                items: {
                  type: "object",
                  required: ["kty", "crv", "x", "kid", "alg"],
                  properties: {
                    kty: { type: "string", const: "OKP" },
                    crv: { type: "string", const: "Ed25519" },
                    x: { type: "string", description: "The public key, base64url." },
                    kid: { type: "string" },
                    alg: { type: "string", const: "EdDSA" },
                  },
                },
              },
            },
          }),
        },
        ...commonResponses,
      },
    },
  },
  "/api/auth/delete-user": {
    post: {
      operationId: "deleteUser",
      tags: TAGS,
      summary: "Delete the signed-in account",
      description: "Deletes the account, its sessions and its tasks, and clears the cookies. Tokens already issued are refused from then on (401).",
      security: [{ sessionCookie: [] }],
      requestBody: {
        required: true,
        content: json({
          type: "object",
          properties: { password: password("The account's password; without it the session must be less than a day old.") },
        }),
      },
      responses: {
        200: {
          description: "The account is gone.",
          headers: sessionCookieCleared,
          content: json({
            type: "object",
            required: ["success", "message"],
            properties: { success: { type: "boolean", const: true }, message: { type: "string" } },
          }),
        },
        400: refused("Wrong password (INVALID_PASSWORD), or no password and a session over a day old (SESSION_EXPIRED)."),
        401: refused("No valid session (UNAUTHORIZED)."),
        ...writeResponses,
      },
    },
  },
};
