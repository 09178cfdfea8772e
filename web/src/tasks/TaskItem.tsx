import { type FormEvent, type KeyboardEvent, memo, useEffect, useId, useRef, useState } from "react";
import { DESCRIPTION_MAX, TITLE_MAX } from "../../../src/shared/rules";
import type { Task } from "./task-queries";

export const EMPTY_TITLE = "Title must not be empty";

interface TaskItemProps {
  task: Task;
  onToggle(task: Task): void;
  onSave(task: Task, changes: { title: string; description: string | null }, onFailure: () => void): void;
  onDelete(task: Task): void;
}

/** One task: a checkbox named by its title, the text, and an editor in place of it while editing. */
export const TaskItem = memo(function TaskItem({ task, onToggle, onSave, onDelete }: TaskItemProps) {
  const [editing, setEditing] = useState(false);
  const [title, setTitle] = useState(task.title);
  const [description, setDescription] = useState(task.description ?? "");
  const [error, setError] = useState("");
  const titleInput = useRef<HTMLInputElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const id = useId();
  const saving = task.id.startsWith("pending-");
  // The box shows a click at once. The cached task changes a moment later (the optimistic update in
  // task-queries.ts runs after the click's render), and until then a controlled box would spring back.
  const [clicked, setClicked] = useState<boolean | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new task object (the cache caught up) ends the shown click.
  useEffect(() => setClicked(null), [task]);
  const done = clicked ?? task.completed;

  useEffect(() => {
    if (editing) titleInput.current?.focus();
    else if (returnFocus.current) editButton.current?.focus();
    returnFocus.current = false;
  }, [editing]);

  const startEditing = () => {
    if (saving) return;
    setTitle(task.title);
    setDescription(task.description ?? "");
    setError("");
    setEditing(true);
  };
  const cancel = () => {
    returnFocus.current = true;
    setEditing(false);
  };
  const save = (event?: FormEvent) => {
    event?.preventDefault();
    const trimmed = title.trim();
    if (!trimmed) {
      setError(EMPTY_TITLE);
      titleInput.current?.focus();
      return;
    }
    returnFocus.current = true;
    setEditing(false);
    if (trimmed === task.title && description === (task.description ?? "")) return;
    // Refused: the editor opens again with what was typed, not the old text.
    onSave(task, { title: trimmed, description: description || null }, () => setEditing(true));
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      cancel();
    }
  };

  if (editing) {
    return (
      <li className="task task-editing">
        <form className="task-editor" onSubmit={save} onKeyDown={onKeyDown} noValidate>
          <label htmlFor={`${id}-title`} className="label-small">
            Title
          </label>
          <input
            id={`${id}-title`}
            ref={titleInput}
            value={title}
            maxLength={TITLE_MAX}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(event) => {
              setTitle(event.target.value);
              setError("");
            }}
          />
          {error && (
            <p id={`${id}-error`} className="field-error">
              {error}
            </p>
          )}
          <label htmlFor={`${id}-description`} className="label-small">
            Description
          </label>
          <textarea
            id={`${id}-description`}
            value={description}
            maxLength={DESCRIPTION_MAX}
            rows={2}
            onChange={(event) => setDescription(event.target.value)}
          />
          <div className="row">
            <button type="submit" className="button-primary button-small">
              Save
            </button>
            <button type="button" className="button-quiet button-small" onClick={cancel}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }

  return (
    <li className={done ? "task task-done" : "task"} aria-busy={saving || undefined}>
      <input
        type="checkbox"
        id={`${id}-done`}
        className="task-check"
        checked={done}
        disabled={saving}
        aria-label={task.title}
        onChange={() => {
          setClicked(!task.completed);
          onToggle(task);
        }}
      />
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a double click is a mouse shortcut; the Edit button is the accessible way. */}
      <div className="task-text" onDoubleClick={startEditing}>
        <span className="task-title">{task.title}</span>
        {task.description && <p className="task-description">{task.description}</p>}
      </div>
      <div className="task-actions">
        <button
          type="button"
          ref={editButton}
          className="button-quiet button-small"
          aria-label={`Edit "${task.title}"`}
          disabled={saving}
          onClick={startEditing}
        >
          Edit
        </button>
        <button
          type="button"
          className="button-quiet button-small button-danger"
          aria-label={`Delete "${task.title}"`}
          disabled={saving}
          onClick={() => onDelete(task)}
        >
          Delete
        </button>
      </div>
    </li>
  );
});
