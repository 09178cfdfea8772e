import { APIError, type createAuthMiddleware } from "better-auth/api";
import { createPasswordJudge } from "../../shared/password.js";
import { NAME_MAX } from "../../shared/rules.js";
import { STORABLE_TEXT_PATTERN } from "../http/validation.js";

/** The endpoints that set a password, and the body field each takes it in. */
const PASSWORD_FIELDS: Record<string, string> = {
  "/sign-up/email": "password",
  "/change-password": "newPassword",
  "/reset-password": "newPassword",
};
/** The endpoints that write a user's profile. */
const PROFILE_PATHS = new Set(["/sign-up/email", "/update-user"]);

type Body = Record<string, unknown>;
type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

const STORABLE_TEXT = new RegExp(STORABLE_TEXT_PATTERN, "u");

const refuse = (code: string, message: string) => new APIError("BAD_REQUEST", { code, message });

/**
 * A display name is trimmed, then 1 to NAME_MAX characters; name and image cannot hold NUL, which
 * PostgreSQL cannot store (it answered 500, SQLSTATE 22021). Better Auth checks only that they are strings.
 */
function profileFields(body: Body): Body | undefined {
  for (const field of ["name", "image"]) {
    const value = body[field];
    if (typeof value === "string" && !STORABLE_TEXT.test(value)) {
      throw refuse("INVALID_CHARACTERS", `${field} must not contain the NUL character`);
    }
  }
  if (typeof body.name !== "string") return undefined;
  const name = body.name.trim();
  if (name === "") throw refuse("NAME_REQUIRED", "Name must not be blank");
  if ([...name].length > NAME_MAX) throw refuse("NAME_TOO_LONG", `Name must be at most ${NAME_MAX} characters`);
  return name === body.name ? undefined : { ...body, name };
}

/**
 * Better Auth's hooks for the rules it does not keep itself; each throws a refusal in Better Auth's
 * own format ({code, message}, 400), or returns the body to continue with.
 */
export function createAccountRules() {
  const judgePassword = createPasswordJudge();

  function passwordField(path: string, body: Body): void {
    const field = PASSWORD_FIELDS[path];
    const password = field === undefined ? undefined : body[field];
    if (typeof password !== "string") return;
    const words = [body.email, body.name].filter((word): word is string => typeof word === "string");
    const verdict = judgePassword(password, words);
    // Better Auth's own limits answer too-long passwords, with its code and before any hashing.
    if (verdict.problem && verdict.problem !== "PASSWORD_TOO_LONG") throw refuse(verdict.problem, verdict.message!);
  }

  // A plain function, combined with the sign-in lock in auth.ts's one before hook.
  return async (ctx: HookContext) => {
    const body = ctx.body as Body | undefined;
    if (typeof body !== "object" || body === null) return;
    const normalized = PROFILE_PATHS.has(ctx.path) ? profileFields(body) : undefined;
    passwordField(ctx.path, body);
    if (ctx.path === "/sign-up/email") await equalizeExistingEmail(ctx, body);
    if (normalized) return { context: { body: normalized } };
  };
}

/**
 * Sign-up with an address already taken answered in about 5 ms, a new one in about 75 ms (the
 * password hash): a free oracle of who has an account. The taken path now hashes the password too,
 * then lets Better Auth refuse it as before.
 */
async function equalizeExistingEmail(ctx: HookContext, body: Body) {
  if (typeof body.email !== "string" || typeof body.password !== "string") return;
  const existing = await ctx.context.internalAdapter.findUserByEmail(body.email.toLowerCase());
  if (existing) await ctx.context.password.hash(body.password);
}
