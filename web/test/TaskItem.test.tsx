import { act, fireEvent, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { EMPTY_TITLE, TaskItem } from "../src/tasks/TaskItem";
import type { Task } from "../src/tasks/task-queries";

const TASK: Task = {
  id: "8f0c7c59-32a5-4d5b-9f8a-1d1e7c1c2b3a",
  user_id: "u1",
  title: "Buy milk",
  description: "Two litres",
  completed: false,
  created_at: "2026-01-01T00:00:00.000Z",
  updated_at: "2026-01-01T00:00:00.000Z",
};

function renderItem(task: Task = TASK) {
  const onSave = vi.fn();
  const onToggle = vi.fn();
  const onDelete = vi.fn();
  render(
    <ul>
      <TaskItem task={task} onSave={onSave} onToggle={onToggle} onDelete={onDelete} />
    </ul>,
  );
  return { onSave, onToggle, onDelete };
}

describe("a task in the list", () => {
  it("shows its title as text, names its checkbox and buttons after it", async () => {
    const { onToggle, onDelete } = renderItem({ ...TASK, title: "<img src=x onerror=alert(1)>" });
    expect(screen.getByText("<img src=x onerror=alert(1)>")).toBeTruthy();
    expect(document.querySelector("img")).toBeNull();
    await userEvent.click(screen.getByRole("checkbox", { name: "<img src=x onerror=alert(1)>" }));
    expect(onToggle).toHaveBeenCalledOnce();
    await userEvent.click(screen.getByRole("button", { name: 'Delete "<img src=x onerror=alert(1)>"' }));
    expect(onDelete).toHaveBeenCalledOnce();
  });

  it("the checkbox keeps a click until the task changes, then shows the task as it is", async () => {
    const onToggle = vi.fn();
    const item = (task: Task) => (
      <ul>
        <TaskItem task={task} onSave={vi.fn()} onToggle={onToggle} onDelete={vi.fn()} />
      </ul>
    );
    const { rerender } = render(item(TASK));
    const box = () => screen.getByRole<HTMLInputElement>("checkbox", { name: "Buy milk" });
    await userEvent.click(box());
    expect(onToggle).toHaveBeenCalledWith(TASK);
    expect(box().checked).toBe(true); // before the cached task has changed
    rerender(item({ ...TASK, completed: true })); // the optimistic update
    expect(box().checked).toBe(true);
    rerender(item({ ...TASK })); // the server refused: the task as it was
    expect(box().checked).toBe(false);
  });

  it("edits in place on double-click: Enter saves the trimmed title", async () => {
    const { onSave } = renderItem();
    fireEvent.doubleClick(screen.getByText("Buy milk"));
    const title = screen.getByLabelText("Title");
    expect(document.activeElement).toBe(title);
    expect(screen.getByLabelText<HTMLTextAreaElement>("Description").value).toBe("Two litres");
    await userEvent.clear(title);
    await userEvent.type(title, "  Buy oat milk {Enter}");
    expect(onSave).toHaveBeenCalledWith(TASK, { title: "Buy oat milk", description: "Two litres" }, expect.any(Function));
    expect(screen.queryByLabelText("Title")).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: 'Edit "Buy milk"' }));
  });

  it("Escape cancels and the next edit starts from the task's text again", async () => {
    const { onSave } = renderItem();
    await userEvent.click(screen.getByRole("button", { name: 'Edit "Buy milk"' }));
    await userEvent.type(screen.getByLabelText("Title"), " and bread");
    await userEvent.keyboard("{Escape}");
    expect(screen.queryByLabelText("Title")).toBeNull();
    expect(onSave).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: 'Edit "Buy milk"' }));
    expect(screen.getByLabelText<HTMLInputElement>("Title").value).toBe("Buy milk");
  });

  it("refuses an empty title with a message tied to the field, and saves nothing", async () => {
    const { onSave } = renderItem();
    await userEvent.click(screen.getByRole("button", { name: 'Edit "Buy milk"' }));
    await userEvent.clear(screen.getByLabelText("Title"));
    await userEvent.type(screen.getByLabelText("Title"), "   {Enter}");
    expect(onSave).not.toHaveBeenCalled();
    const title = screen.getByLabelText("Title");
    expect(title.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(title.getAttribute("aria-describedby")!)!.textContent).toBe(EMPTY_TITLE);
  });

  it("reopens the editor with what was typed when the server refuses the change", async () => {
    const { onSave } = renderItem();
    await userEvent.click(screen.getByRole("button", { name: 'Edit "Buy milk"' }));
    await userEvent.type(screen.getByLabelText("Description"), ", skimmed");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    expect(screen.queryByLabelText("Title")).toBeNull();
    const onFailure = onSave.mock.calls[0]![2] as () => void;
    act(onFailure);
    expect(screen.getByLabelText<HTMLTextAreaElement>("Description").value).toBe("Two litres, skimmed");
    expect(document.activeElement).toBe(screen.getByLabelText("Title"));
  });
});
