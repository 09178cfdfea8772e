import { useCallback } from "react";
import { navigate, useLocation } from "../app/router";

export const STATUSES = ["all", "pending", "completed"] as const;
export type Status = (typeof STATUSES)[number];
export const SORTS = [
  { value: "-created_at", label: "Newest first" },
  { value: "created_at", label: "Oldest first" },
  { value: "-updated_at", label: "Recently updated" },
  { value: "title", label: "Title A–Z" },
  { value: "-title", label: "Title Z–A" },
] as const;
export type Sort = (typeof SORTS)[number]["value"];
export const DEFAULT_SORT: Sort = "-created_at";

export interface TaskFilters {
  status: Status;
  q: string;
  sort: Sort;
}

/** Reads the task page's query string; anything unknown falls back to the default. */
export function parseFilters(search: string): TaskFilters {
  const params = new URLSearchParams(search);
  const status = params.get("status");
  const sort = params.get("sort");
  return {
    status: STATUSES.find((known) => known === status) ?? "all",
    q: params.get("q") ?? "",
    sort: SORTS.find((known) => known.value === sort)?.value ?? DEFAULT_SORT,
  };
}

/** The query string for these filters, defaults left out so the plain URL stays "/". */
export function filtersToSearch({ status, q, sort }: TaskFilters): string {
  const params = new URLSearchParams();
  if (status !== "all") params.set("status", status);
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
