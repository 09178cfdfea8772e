import { createMalformedIfMatchError } from "./tasks.errors.js";

/**
 * A task's entity tag names one version of it: its id and its updated_at, which moves forward on every
 * change. Strong, because every field of the representation changes only together with updated_at.
 * Carrying updated_at lets If-Match become a condition of the UPDATE itself, with no read beforehand.
 */
export function etagOf(task: { id: string; updated_at: string }): string {
  return `"${task.id}.${Date.parse(task.updated_at)}"`;
}

interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** RFC 9110's `"*" / #entity-tag`, or null when the value is not that (etagc admits commas, so no split). */
function parseEntityTags(value: string): "*" | EntityTag[] | null {
  if (value.trim() === "*") return "*";
  const item = /[ \t,]*(W\/)?"([\x21\x23-\x7E\x80-\xFF]*)"[ \t]*(?:,|$)/y;
  const tags: EntityTag[] = [];
  while (item.lastIndex < value.length) {
    const start = item.lastIndex;
    const match = item.exec(value);
    if (match) {
      tags.push({ weak: match[1] !== undefined, opaque: match[2]! });
      continue;
    }
    if (/^[ \t,]*$/.test(value.slice(start))) break;
    return null;
  }
  return tags.length > 0 ? tags : null;
}

/**
 * The last millisecond of year 9999: beyond it Date writes a six-digit signed year that PostgreSQL
 * refuses to parse (SQLSTATE 22009), and no task's updated_at can be there anyway.
 */
const LATEST_VERSION_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The updated_at values an If-Match header accepts for this task: undefined when any version will do
 * (no header, or `*`), an empty list when none of its tags can match. Strong comparison (RFC 9110
 * 13.1.1), so weak tags never match. A malformed header is a 400: it cannot be evaluated, and a 412
 * would send the client off to re-read and retry a request that can never succeed.
 */
export function expectedVersions(ifMatch: string | undefined, taskId: string): Date[] | undefined {
  if (ifMatch === undefined) return undefined;
  const tags = parseEntityTags(ifMatch);
  if (tags === null) throw createMalformedIfMatchError();
  if (tags === "*") return undefined;
  const prefix = `${taskId.toLowerCase()}.`;
  return tags
    .filter((tag) => !tag.weak && tag.opaque.startsWith(prefix) && /^\d{1,15}$/.test(tag.opaque.slice(prefix.length)))
    .map((tag) => Number(tag.opaque.slice(prefix.length)))
    .filter((ms) => ms <= LATEST_VERSION_MS)
    .map((ms) => new Date(ms));
}

/** If-None-Match by weak comparison (RFC 9110 13.1.2); a malformed value is ignored, so the client gets the task. */
export function isNotModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  const tags = parseEntityTags(ifNoneMatch);
  if (tags === "*") return true;
  return (tags ?? []).some((tag) => `"${tag.opaque}"` === etag);
}
