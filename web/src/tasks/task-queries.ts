import { type InfiniteData, type QueryKey, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { PAGE_SIZE_DEFAULT, type TaskCounts } from "../../../src/shared/rules";
import { api, envelope, unwrap } from "../api/client";
import type { paths } from "../api/schema";
import type { TaskFilters } from "./task-filters";

type ListAnswer = paths["/api/{user_id}/tasks"]["get"]["responses"][200]["content"]["application/json"];
export type Task = ListAnswer["data"][number];
interface Page {
  tasks: Task[];
  nextCursor: string | null;
}
type Pages = InfiniteData<Page, string | null>;

const tasksKey = (userId: string) => ["tasks", userId] as const;
const listKey = (userId: string, filters: TaskFilters) => [...tasksKey(userId), "list", filters] as const;
const countsKey = (userId: string) => [...tasksKey(userId), "counts"] as const;
const path = (userId: string) => ({ path: { user_id: userId } });

/** Pages of the list over the API's cursor: only what the person asked to see is in the DOM. */
export function useTaskList(userId: string, filters: TaskFilters) {
  return useInfiniteQuery({
    queryKey: listKey(userId, filters),
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }): Promise<Page> => {
      const answer = await envelope(
        api.GET("/api/{user_id}/tasks", {
          params: {
            ...path(userId),
            query: {
              status: filters.status,
              sort: filters.sort,
              limit: PAGE_SIZE_DEFAULT,
              ...(filters.q ? { q: filters.q } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
          signal,
        }),
      );
      return { tasks: answer.data, nextCursor: answer.meta.next_cursor };
    },
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: (previous) => previous,
  });
}

export function useTaskCounts(userId: string) {
  return useQuery({
    queryKey: countsKey(userId),
    queryFn: () => unwrap(api.GET("/api/{user_id}/tasks/counts", { params: path(userId) })),
  });
}

type Snapshot = [QueryKey, unknown][];

/**
 * A change shown at once in every cached list and in the counts, and put back as it was when the
 * server refuses it; afterwards the lists and counts are fetched again either way.
 *
 * Returns one promise per change, for the caller's own failure handling (the alert, the typed text put
 * back). Not `mutate`'s callbacks: TanStack Query keeps those only for the latest call, so a change
 * that failed while a later one was in flight would be rolled back without a word.
 */
function useOptimisticTaskChange<Input, Output>(
  userId: string,
  send: (input: Input) => Promise<Output>,
  apply: (input: Input) => { tasks?: (tasks: Task[], filters: TaskFilters, page: number) => Task[]; counts?: (counts: TaskCounts) => TaskCounts },
) {
  const client = useQueryClient();
  return useMutation<Output, Error, Input, Snapshot>({
    mutationKey: tasksKey(userId),
    mutationFn: send,
    onMutate: async (input) => {
      await client.cancelQueries({ queryKey: tasksKey(userId) });
      const snapshot = client.getQueriesData({ queryKey: tasksKey(userId) });
      const change = apply(input);
      const changeTasks = change.tasks;
      if (changeTasks) {
        for (const [key] of client.getQueriesData<Pages>({ queryKey: [...tasksKey(userId), "list"] })) {
          const filters = key[3] as TaskFilters;
          client.setQueryData<Pages>(
            key,
            (data) => data && { ...data, pages: data.pages.map((page, i) => ({ ...page, tasks: changeTasks(page.tasks, filters, i) })) },
          );
        }
      }
      if (change.counts) client.setQueryData<TaskCounts>(countsKey(userId), (counts) => counts && change.counts!(counts));
      return snapshot;
    },
    onError: (_error, _input, snapshot) => {
      for (const [key, data] of snapshot ?? []) client.setQueryData(key, data);
    },
    // Only after the last change in flight: a refetch answering while another change is pending would
    // show the server's state before that change and undo it on screen. Not awaited: the caller's
    // failure handling must not wait for the refetch.
    onSettled: () => {
      if (client.isMutating({ mutationKey: tasksKey(userId) }) === 1) void client.invalidateQueries({ queryKey: tasksKey(userId) });
    },
  }).mutateAsync;
}

const tally = (counts: TaskCounts, pendingDelta: number, completedDelta: number): TaskCounts => ({
  all: counts.all + pendingDelta + completedDelta,
  pending: counts.pending + pendingDelta,
  completed: counts.completed + completedDelta,
});
const matches = (task: Task, filters: TaskFilters) => filters.status === "all" || task.completed === (filters.status === "completed");

export function useTaskMutations(userId: string) {
  const create = useOptimisticTaskChange(
    userId,
    (input: { title: string; description?: string }) => unwrap(api.POST("/api/{user_id}/tasks", { params: path(userId), body: input })),
    (input) => {
      const now = new Date().toISOString();
      const draft: Task = {
        id: `pending-${now}`,
        user_id: userId,
        title: input.title,
        description: input.description ?? null,
        completed: false,
        created_at: now,
        updated_at: now,
      };
      return {
        // Shown where it will appear: on top of the newest-first list it belongs to.
        tasks: (tasks, filters, page) =>
          page === 0 && matches(draft, filters) && filters.sort === "-created_at" && !filters.q ? [draft, ...tasks] : tasks,
        counts: (counts) => tally(counts, 1, 0),
      };
    },
  );

  const update = useOptimisticTaskChange(
    userId,
    ({ id, changes }: { id: string; changes: { title?: string; description?: string | null; completed?: boolean }; was: Task }) =>
      unwrap(api.PATCH("/api/{user_id}/tasks/{task_id}", { params: { path: { user_id: userId, task_id: id } }, body: changes })),
    ({ id, changes, was }) => ({
      tasks: (tasks) => tasks.map((task) => (task.id === id ? { ...task, ...changes } : task)),
      counts:
        changes.completed === undefined || changes.completed === was.completed
          ? undefined
          : (counts) => (changes.completed ? tally(counts, -1, 1) : tally(counts, 1, -1)),
    }),
  );

  const remove = useOptimisticTaskChange(
    userId,
    (task: Task) => unwrap(api.DELETE("/api/{user_id}/tasks/{task_id}", { params: { path: { user_id: userId, task_id: task.id } } })),
    (removed) => ({
      tasks: (tasks) => tasks.filter((task) => task.id !== removed.id),
      counts: (counts) => (removed.completed ? tally(counts, 0, -1) : tally(counts, -1, 0)),
    }),
  );

  const completeAll = useOptimisticTaskChange(
    userId,
    (completed: boolean) => unwrap(api.PATCH("/api/{user_id}/tasks", { params: path(userId), body: { completed } })),
    (completed) => ({
      tasks: (tasks) => tasks.map((task) => ({ ...task, completed })),
      counts: (counts) => (completed ? { ...counts, pending: 0, completed: counts.all } : { ...counts, pending: counts.all, completed: 0 }),
    }),
  );

  const clearCompleted = useOptimisticTaskChange(
    userId,
    () => unwrap(api.DELETE("/api/{user_id}/tasks", { params: { ...path(userId), query: { status: "completed" } } })),
    () => ({
      tasks: (tasks) => tasks.filter((task) => !task.completed),
      counts: (counts) => ({ ...counts, all: counts.pending, completed: 0 }),
    }),
  );

  return { create, update, remove, completeAll, clearCompleted };
}
