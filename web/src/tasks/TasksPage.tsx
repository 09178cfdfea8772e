import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState } from "react";
import { DESCRIPTION_MAX, SEARCH_MAX, type TaskSort, type TaskStatus, TITLE_MAX } from "../../../src/shared/rules";
import { AppHeader } from "../app/AppHeader";
import { useNotices } from "../app/notices";
import { followLink } from "../app/router";
import { EMPTY_TITLE, TaskItem } from "./TaskItem";
import { filtersToSearch, SORT_OPTIONS, type TaskFilters, useTaskFilters } from "./task-filters";
import { type Task, useTaskCounts, useTaskList, useTaskMutations } from "./task-queries";

const SEARCH_DEBOUNCE_MS = 250;
const FILTER_LINKS: { status: TaskStatus; label: string }[] = [
  { status: "all", label: "All" },
  { status: "pending", label: "Active" },
  { status: "completed", label: "Completed" },
];

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

const NOT_TEXT_INPUTS = new Set(["checkbox", "radio", "button", "submit", "reset"]);

/** "/" is a character in a text field; on a checkbox or a button it is free to mean "search". */
function isTyping(target: EventTarget | null): boolean {
  if (target instanceof HTMLInputElement) return !NOT_TEXT_INPUTS.has(target.type);
  return target instanceof HTMLElement && (target.isContentEditable || ["TEXTAREA", "SELECT"].includes(target.tagName));
}

function NewTask({ onAdd }: { onAdd(input: { title: string; description?: string }, onFailure: () => void): void }) {
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [withDescription, setWithDescription] = useState(false);
  const [error, setError] = useState("");
  const descriptionInput = useRef<HTMLTextAreaElement>(null);

  const openDescription = () => {
    setWithDescription(true);
    requestAnimationFrame(() => descriptionInput.current?.focus());
  };

  const add = (event?: FormEvent) => {
    event?.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) {
      setError(EMPTY_TITLE);
      return;
    }
    const sent = { title: trimmed, ...(description.trim() ? { description } : {}) };
    setTitle("");
    setDescription("");
    setWithDescription(false);
    // Refused or unreachable: what was typed comes back, unless something new is being typed already.
    onAdd(sent, () => {
      setTitle((current) => current || sent.title);
      if (sent.description) {
        setDescription((current) => current || (sent.description ?? ""));
        setWithDescription(true);
      }
    });
  };

  return (
    <form className="new-task card" onSubmit={add} noValidate>
      <div className="new-task-row">
        <label htmlFor="new-task" className="visually-hidden">
          New task
        </label>
        <input
          id="new-task"
          className="new-task-input"
          placeholder="What needs to be done?"
          autoComplete="off"
          maxLength={TITLE_MAX}
          value={title}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "new-task-error" : undefined}
          onChange={(event) => {
            setTitle(event.target.value);
            setError("");
          }}
        />
        <button type="submit" className="button-primary">
          Add task
        </button>
      </div>
      {error && (
        <p id="new-task-error" className="field-error">
          {error}
        </p>
      )}
      {withDescription ? (
        <div className="field">
          <label htmlFor="new-task-description" className="label-small">
            Description
          </label>
          <textarea
            id="new-task-description"
            ref={descriptionInput}
            rows={2}
            maxLength={DESCRIPTION_MAX}
            value={description}
            onChange={(event) => setDescription(event.target.value)}
          />
        </div>
      ) : (
        <button type="button" className="button-link" onClick={openDescription}>
          Add description
        </button>
      )}
    </form>
  );
}

function SearchBox({ q, onSearch }: { q: string; onSearch(q: string): void }) {
  const [text, setText] = useState(q);
  const input = useRef<HTMLInputElement>(null);
  // The URL is the truth: back/forward or a link changes it, and the box follows.
  useEffect(() => setText(q), [q]);
  useEffect(() => {
    if (text === q) return;
    const timer = setTimeout(() => onSearch(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, q, onSearch]);
  useEffect(() => {
    const focusSearch = (event: globalThis.KeyboardEvent) => {
      if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      input.current?.focus();
    };
    document.addEventListener("keydown", focusSearch);
    return () => document.removeEventListener("keydown", focusSearch);
  }, []);
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Escape" && text) {
      event.preventDefault();
      setText("");
      onSearch("");
    }
  };
  return (
    <div className="search">
      <label htmlFor="search" className="visually-hidden">
        Search tasks
      </label>
      <input
        id="search"
        ref={input}
        type="search"
        placeholder="Search  ( / )"
        autoComplete="off"
        maxLength={SEARCH_MAX}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
      />
    </div>
  );
}

function Toolbar({ filters, update }: { filters: TaskFilters; update: ReturnType<typeof useTaskFilters>["update"] }) {
  const onSearch = useCallback((q: string) => update({ q }, { replace: true }), [update]);
  return (
    <div className="toolbar">
      <SearchBox q={filters.q} onSearch={onSearch} />
      {/* biome-ignore lint/a11y/useSemanticElements: a group of links, not form controls, which a fieldset is for. */}
      <div role="group" aria-label="Filter" className="filters">
        {FILTER_LINKS.map(({ status, label }) => (
          <a
            key={status}
            href={`/${filtersToSearch({ ...filters, status })}`}
            aria-current={filters.status === status ? "page" : undefined}
            onClick={followLink}
          >
            {label}
          </a>
        ))}
      </div>
      <div className="sort">
        <label htmlFor="sort" className="label-small">
          Sort
        </label>
        <select id="sort" value={filters.sort} onChange={(event) => update({ sort: event.target.value as TaskSort })}>
          {SORT_OPTIONS.map((sort) => (
            <option key={sort.value} value={sort.value}>
              {sort.label}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}

export function TasksPage({ user, onSignOut }: { user: { id: string; name: string }; onSignOut(): Promise<void> }) {
  const { filters, update } = useTaskFilters();
  const { showError, showStatus } = useNotices();
  const list = useTaskList(user.id, filters);
  const counts = useTaskCounts(user.id).data;
  const mutations = useTaskMutations(user.id);
  // Stable callbacks for the memoized items: the latest mutations are read through a ref.
  const latest = useRef(mutations);
  latest.current = mutations;

  useEffect(() => {
    if (list.error) showError(list.error);
  }, [list.error, showError]);

  // Each change's own failure: the alert, and for a form, what was typed put back.
  const reported = useCallback(
    (change: Promise<unknown>, onFailure?: () => void) =>
      void change.catch((error: unknown) => {
        onFailure?.();
        showError(error);
      }),
    [showError],
  );
  const onAdd = useCallback(
    (input: { title: string; description?: string }, onFailure: () => void) => reported(latest.current.create(input), onFailure),
    [reported],
  );
  const onToggle = useCallback(
    (task: Task) => reported(latest.current.update({ id: task.id, changes: { completed: !task.completed }, was: task })),
    [reported],
  );
  const onSave = useCallback(
    (task: Task, changes: { title: string; description: string | null }, onFailure: () => void) =>
      reported(latest.current.update({ id: task.id, changes, was: task }), onFailure),
    [reported],
  );
  const onDelete = useCallback((task: Task) => reported(latest.current.remove(task)), [reported]);

  const markAll = (completed: boolean) => reported(mutations.completeAll(completed));
  const clearCompleted = () =>
    reported(
      mutations.clearCompleted(undefined).then(({ deleted }) => showStatus(`${plural(deleted, "completed task", "completed tasks")} cleared`)),
    );

  const tasks = list.data?.pages.flatMap((page) => page.tasks) ?? [];
  const allDone = counts !== undefined && counts.all > 0 && counts.pending === 0;
  const filtered = filters.status !== "all" || filters.q !== "";

  return (
    <>
      <AppHeader user={user} current="tasks" onSignOut={onSignOut} />
      <main className="page">
        <h1>Tasks</h1>
        <NewTask onAdd={onAdd} />
        <Toolbar filters={filters} update={update} />
        <div className="summary">
          <p className="count">{counts ? plural(counts.pending, "item left", "items left") : "\u00a0"}</p>
          <div className="row">
            <button type="button" className="button-quiet button-small" disabled={!counts || counts.all === 0} onClick={() => markAll(!allDone)}>
              {allDone ? "Mark all not done" : "Mark all done"}
            </button>
            <button type="button" className="button-quiet button-small" disabled={!counts || counts.completed === 0} onClick={clearCompleted}>
              Clear completed
            </button>
          </div>
        </div>
        <section aria-busy={list.isFetching || undefined}>
          {list.isPending ? (
            <p className="empty">Loading tasks…</p>
          ) : tasks.length === 0 ? (
            <p className="empty">{filtered ? "No matching tasks." : "No tasks yet. Add one above."}</p>
          ) : (
            <ul aria-label="Tasks" className="tasks card">
              {tasks.map((task) => (
                <TaskItem key={task.id} task={task} onToggle={onToggle} onSave={onSave} onDelete={onDelete} />
              ))}
            </ul>
          )}
          {list.hasNextPage && (
            <button type="button" className="button-quiet load-more" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              {list.isFetchingNextPage ? "Loading…" : "Load more"}
            </button>
          )}
        </section>
      </main>
    </>
  );
}
