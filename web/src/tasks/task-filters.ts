import { useCallback } from "react";
import { DEFAULT_SORT, DEFAULT_STATUS, TASK_STATUSES, type TaskSort, type TaskStatus } from "../../../src/shared/rules";
import { navigate, useLocation } from "../app/router";

/** The contract's sorts the menu offers, in its order; oldest-updated-first is left out of the menu. */
export const SORT_OPTIONS: readonly { value: TaskSort; label: string }[] = [
  { value: "-created_at", label: "Newest first" },
  { value: "created_at", label: "Oldest first" },
  { value: "-updated_at", label: "Recently updated" },
  { value: "title", label: "Title A–Z" },
  { value: "-title", label: "Title Z–A" },
];

export interface TaskFilters {
  status: TaskStatus;
  q: string;
  sort: TaskSort;
}

/** Reads the task page's query string; anything unknown falls back to the default. */
export function parseFilters(search: string): TaskFilters {
  const params = new URLSearchParams(search);
  const status = params.get("status");
  const sort = params.get("sort");
  return {
    status: TASK_STATUSES.find((known) => known === status) ?? DEFAULT_STATUS,
    q: params.get("q") ?? "",
    sort: SORT_OPTIONS.find((known) => known.value === sort)?.value ?? DEFAULT_SORT,
  };
}

/** The query string for these filters, defaults left out so the plain URL stays "/". */
export function filtersToSearch({ status, q, sort }: TaskFilters): string {
  const params = new URLSearchParams();
  if (status !== DEFAULT_STATUS) params.set("status", status);
  if (q) params.set("q", q);
  if (sort !== DEFAULT_SORT) params.set("sort", sort);
  const search = params.toString();
  return search ? `?${search}` : "";
}

/**
 * The filters live in the URL, so reload, back/forward and a shared link restore them. A filter or
 * sort change is a history entry; typing a search replaces the current one instead of adding one per pause.
 */
export function useTaskFilters() {
  const location = useLocation();
  const filters = parseFilters(location.includes("?") ? location.slice(location.indexOf("?")) : "");
  const update = useCallback((changes: Partial<TaskFilters>, { replace = false } = {}) => {
    const next = { ...parseFilters(window.location.search), ...changes };
    navigate(window.location.pathname + filtersToSearch(next), { replace });
  }, []);
  return { filters, update };
}
