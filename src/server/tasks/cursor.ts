import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import type { TaskSort } from "../../shared/rules.js";
import { UUID_PATTERN } from "../http/validation.js";
import { createInvalidCursorError as invalid } from "./tasks.errors.js";

/** Where a page ended: the sort key of its last task and that task's id (the tie-break). */
export interface CursorPosition {
  key: string;
  id: string;
}

const CIPHER = "aes-256-gcm";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Cursors are opaque to clients: encrypted (the sort key of the last task, a title for example, is
 * the user's private text and travels in URLs and logs) and authenticated, with the user and the sort
 * as associated data. One the server did not produce, edited, or made for another user or another
 * sort order is refused with 400 instead of reaching the query.
 */
export function createCursorCodec(secret: string) {
  const key = Buffer.from(hkdfSync("sha256", secret, "", "ticked task list cursor", 32));
  const boundTo = (userId: string, sort: TaskSort) => Buffer.from(JSON.stringify([userId, sort]));

  function encode(userId: string, sort: TaskSort, position: CursorPosition): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES }).setAAD(boundTo(userId, sort));
    const sealed = Buffer.concat([cipher.update(JSON.stringify([position.key, position.id]), "utf8"), cipher.final()]);
    return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString("base64url");
  }

  function decode(userId: string, sort: TaskSort, cursor: string): CursorPosition {
    const bytes = Buffer.from(cursor, "base64url");
    if (bytes.length <= IV_BYTES + TAG_BYTES || bytes.toString("base64url") !== cursor) throw invalid();
    let text: string;
    try {
      const decipher = createDecipheriv(CIPHER, key, bytes.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES }).setAAD(boundTo(userId, sort));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      text = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      throw invalid();
    }
    const parsed: unknown = JSON.parse(text);
    if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
    const [position, id] = parsed as unknown[];
    if (typeof position !== "string" || typeof id !== "string" || !UUID_PATTERN.test(id)) throw invalid();
    return { key: position, id };
  }

  return { encode, decode };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;
