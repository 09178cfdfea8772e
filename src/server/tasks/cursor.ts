import { createHmac, timingSafeEqual } from "node:crypto";
import type { TaskSort } from "../../shared/rules.js";
import { UUID_PATTERN } from "../http/validation.js";
import { createInvalidCursorError as invalid } from "./tasks.errors.js";

/** Where a page ended: the sort key of its last task and that task's id (the tie-break). */
export interface CursorPosition {
  key: string;
  id: string;
}

const SIGNATURE_BYTES = 16;

/**
 * Cursors are opaque to clients and signed, so one the server did not produce (edited, forged or
 * from another sort order) is refused with 400 instead of reaching the query.
 */
export function createCursorCodec(secret: string) {
  const key = createHmac("sha256", secret).update("ticked task list cursor").digest();
  const sign = (payload: string) => createHmac("sha256", key).update(payload).digest().subarray(0, SIGNATURE_BYTES);

  function encode(sort: TaskSort, position: CursorPosition): string {
    const payload = Buffer.from(JSON.stringify([sort, position.key, position.id])).toString("base64url");
    return `${payload}.${sign(payload).toString("base64url")}`;
  }

  function decode(sort: TaskSort, cursor: string): CursorPosition {
    const [payload, signature, extra] = cursor.split(".");
    if (!payload || !signature || extra !== undefined) throw invalid();
    const given = Buffer.from(signature, "base64url");
    if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, sign(payload))) throw invalid();
    const parsed: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
    const [cursorSort, key, id] = parsed as unknown[];
    if (cursorSort !== sort || typeof key !== "string" || typeof id !== "string" || !UUID_PATTERN.test(id)) throw invalid();
    return { key, id };
  }

  return { encode, decode };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;
