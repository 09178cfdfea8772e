import { type MouseEvent, useSyncExternalStore } from "react";

// A history-based router of three pages needs no library: the location is an external store.
const listeners = new Set<() => void>();
const LOCATION_CHANGE = "popstate";

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener(LOCATION_CHANGE, listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener(LOCATION_CHANGE, listener);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query, e.g. "/?status=pending"; re-renders on navigation and back/forward. */
export function useLocation(): string {
  return useSyncExternalStore(subscribe, snapshot);
}

export function navigate(to: string, { replace = false, state = null as unknown } = {}) {
  if (to === snapshot() && !state) return;
  window.history[replace ? "replaceState" : "pushState"](state, "", to);
  for (const listener of listeners) listener();
}

/** For <a href> links: a plain click navigates in the page; a modified one (new tab) is the browser's. */
export function followLink(event: MouseEvent<HTMLAnchorElement>) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute("href")!);
}

/** A `next` parameter is followed only to a path of this app, never to another site. */
export function safeNext(next: string | null): string {
  return next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\") ? next : "/";
}
