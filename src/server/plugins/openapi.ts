import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { OpenAPIV3_1 } from "openapi-types";
import { ACCOUNT_PATHS, ACCOUNT_SCHEMAS } from "../auth/auth.openapi.js";

const DESCRIPTION = [
  "The Ticked task API. Every response under /api/ is a JSON envelope: `{success: true, data, message}` or `{success: false, error: {code, message, details?}}`.",
  "Accounts live under /api/auth (Better Auth, email and password; the accounts tag), whose answers keep Better Auth's own format: sign up or sign in, then GET /api/auth/token exchanges the session for a 15-minute JWT (EdDSA, keys at GET /api/auth/jwks).",
  "Authenticate task requests with `Authorization: Bearer <JWT>` or the session cookie. Checks run in this order: credentials (401), then the path's user_id (403), then the request itself (400/413/415/422), then the task (404: another user's task looks exactly like a missing one).",
  "A known path with an unsupported method answers 405 METHOD_NOT_ALLOWED with an Allow header; an unknown path, 404 NOT_FOUND. Every response carries an x-request-id header (a sane one sent by the client is kept), which the server's log line for the request shares.",
  "Text limits count Unicode code points, as PostgreSQL does: most emoji are one, composed ones (a family, a flag) are several. Text containing NUL or unpaired surrogates is refused with 422.",
  "Query strings are closed like bodies: an unknown parameter is a 422, so a typo never silently returns an unfiltered list. Paging is keyset: pass meta.next_cursor as cursor; it is signed and tied to the sort order.",
].join("\n\n");

export interface OpenapiOptions {
  version: string;
  /** The server's public origin (config.publicUrl), the document's one server. */
  publicUrl: string;
}

/** Registers the document generator; must come before the routes it describes. */
export const openapiPlugin = fp(
  async (app: FastifyInstance, { version, publicUrl }: OpenapiOptions) => {
    await app.register(swagger, {
      // Shared schemas (the error envelope) appear under their own names in components.schemas.
      refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
      openapi: {
        openapi: "3.1.0",
        info: {
          title: "Ticked task API",
          version,
          description: DESCRIPTION,
          // The package is private and carries no license (npm's UNLICENSED, which is not an SPDX
          // identifier); SPDX names a license of one's own with a LicenseRef- prefix.
          license: { name: "Proprietary, all rights reserved", identifier: "LicenseRef-Proprietary" },
        },
        servers: [{ url: publicUrl, description: "This server (BETTER_AUTH_URL)" }],
        tags: [
          { name: "tasks", description: "A user's own tasks" },
          { name: "accounts", description: "Sign-up, sign-in and tokens (Better Auth)" },
          { name: "service", description: "Health and readiness" },
        ],
        // Better Auth serves the account routes through one catch-all route, hidden from the document;
        // their own description is merged in. A copy, because the generator adds the routes' paths to it.
        paths: { ...ACCOUNT_PATHS } as OpenAPIV3_1.PathsObject,
        components: {
          schemas: ACCOUNT_SCHEMAS as Record<string, OpenAPIV3_1.SchemaObject>,
          securitySchemes: {
            bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT from GET /api/auth/token" },
            sessionCookie: { type: "apiKey", in: "cookie", name: "better-auth.session_token" },
          },
        },
      },
    });
  },
  { name: "openapi" },
);

/** The document at /openapi.json and an interactive reference at /docs, both from local files. */
export async function openapiRoutes(app: FastifyInstance) {
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  // Helmet's policy covers /docs as well (the UI needs no inline script); no online validator badge.
  await app.register(swaggerUi, { routePrefix: "/docs", uiConfig: { validatorUrl: null } });
}
