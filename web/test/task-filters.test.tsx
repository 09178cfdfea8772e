import { act, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { filtersToSearch, parseFilters, useTaskFilters } from "../src/tasks/task-filters";

function Probe() {
  const { filters, update } = useTaskFilters();
  return (
    <>
      <output>{JSON.stringify(filters)}</output>
      <button type="button" onClick={() => update({ status: "completed" })}>
        completed
      </button>
      <button type="button" onClick={() => update({ q: "milk" }, { replace: true })}>
        search
      </button>
      <button type="button" onClick={() => update({ sort: "title" })}>
        title
      </button>
    </>
  );
}

const shown = () => JSON.parse(screen.getByRole("status").textContent!);

/** history.back() fires popstate asynchronously in jsdom. */
async function back() {
  await act(async () => {
    const popped = new Promise((resolve) => window.addEventListener("popstate", resolve, { once: true }));
    window.history.back();
    await popped;
  });
}

afterEach(() => window.history.replaceState(null, "", "/"));

describe("the task filters in the URL", () => {
  it("reads status, q and sort, and falls back to the defaults for anything unknown", () => {
    expect(parseFilters("?status=pending&q=a%20b&sort=-title")).toEqual({ status: "pending", q: "a b", sort: "-title" });
    expect(parseFilters("?status=done&sort=random")).toEqual({ status: "all", q: "", sort: "-created_at" });
  });

  it("writes only what differs from the defaults, so the plain list is /", () => {
    expect(filtersToSearch({ status: "all", q: "", sort: "-created_at" })).toBe("");
    expect(filtersToSearch({ status: "pending", q: "50% & more", sort: "title" })).toBe("?status=pending&q=50%25+%26+more&sort=title");
    expect(parseFilters(filtersToSearch({ status: "completed", q: "x&y=z", sort: "-updated_at" }))).toEqual({
      status: "completed",
      q: "x&y=z",
      sort: "-updated_at",
    });
  });

  it("a filter or sort is a history entry that back undoes; a search replaces the entry it is typed in", async () => {
    window.history.replaceState(null, "", "/?sort=created_at");
    render(<Probe />);
    expect(shown()).toEqual({ status: "all", q: "", sort: "created_at" });

    act(() => screen.getByText("completed").click());
    expect(window.location.search).toBe("?status=completed&sort=created_at");
    act(() => screen.getByText("search").click());
    expect(shown()).toEqual({ status: "completed", q: "milk", sort: "created_at" });
    act(() => screen.getByText("title").click());
    expect(window.location.search).toBe("?status=completed&q=milk&sort=title");

    await back();
    expect(shown()).toEqual({ status: "completed", q: "milk", sort: "created_at" });
    await back();
    expect(shown()).toEqual({ status: "all", q: "", sort: "created_at" });
  });
});
