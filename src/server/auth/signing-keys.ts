import { symmetricDecrypt } from "better-auth/crypto";
import { desc, gt, isNull, or } from "drizzle-orm";
import type { Db } from "../db/database.js";
import { jwks } from "../db/schema/index.js";

export class SigningKeySecretError extends Error {}

/**
 * Better Auth keeps the JWT signing keys in the database, encrypted with BETTER_AUTH_SECRET. Started
 * with another secret, the server would answer every token request with a 500; it refuses to start
 * instead, and says what to do.
 */
export async function checkSigningKeysReadable(db: Db, secret: string): Promise<void> {
  // The key Better Auth signs with: the newest one not expired (it makes a new one when all are).
  const [newest] = await db
    .select({ id: jwks.id, privateKey: jwks.privateKey })
    .from(jwks)
    .where(or(isNull(jwks.expiresAt), gt(jwks.expiresAt, new Date())))
    .orderBy(desc(jwks.createdAt))
    .limit(1);
  if (!newest) return;
  // Better Auth stores the ciphertext as a JSON string; anything else was not written by it, and is
  // not a question of the secret.
  const ciphertext = parsedJson(newest.privateKey);
  if (typeof ciphertext !== "string") throw new Error(`the newest key (id ${newest.id}) is not in the form Better Auth stores keys in`);
  try {
    await symmetricDecrypt({ key: secret, data: ciphertext });
  } catch {
    throw new SigningKeySecretError(
      "BETTER_AUTH_SECRET is not the secret this database's JWT signing keys (table jwks) were encrypted with: start with that secret. " +
        "To change it, also delete the rows of jwks; tokens issued so far are then refused, and everyone signs in again.",
    );
  }
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
