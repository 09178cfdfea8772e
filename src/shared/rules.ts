/**
 * The contract's limits and enumerations, in one place for the server's schemas and the web app.
 * Plain values only: the web app bundles this file, so it must import nothing.
 */
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;
export const SEARCH_MAX = 200;
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 200;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NAME_MAX = 100;

export const TASK_STATUSES = ["all", "pending", "completed"] as const;
export const TASK_SORTS = ["created_at", "-created_at", "updated_at", "-updated_at", "title", "-title"] as const;
export const DEFAULT_STATUS = "all" satisfies TaskStatus;
export const DEFAULT_SORT = "-created_at" satisfies TaskSort;

export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskSort = (typeof TASK_SORTS)[number];
export interface TaskCounts {
  all: number;
  pending: number;
  completed: number;
}
