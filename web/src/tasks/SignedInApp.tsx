import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { AccountPage } from "../account/AccountPage";
import { RequestError } from "../api/errors";
import { TasksPage } from "./TasksPage";

const isUnauthorized = (error: unknown) => error instanceof RequestError && error.kind === "unauthorized";

function createQueryClient(onUnauthorized: () => void) {
  const onError = (error: unknown) => {
    if (isUnauthorized(error)) onUnauthorized();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      // No silent retries: a failure is shown at once (and a hung server already took the 10 s timeout).
      queries: { retry: false, staleTime: 10_000 },
    },
  });
}

interface SignedInAppProps {
  page: "tasks" | "account";
  user: { id: string; name: string; email: string };
  /** The id of this browser's session, told apart in the account page's list. */
  sessionId: string;
  onSignOut(): Promise<void>;
  /** Runs an action that ends the session (deleting the account), then shows the farewell. */
  endSession(end: () => Promise<void>, farewell: string): Promise<void>;
  /** A 401 from the task API: the session ended while the page was open. */
  onUnauthorized(): void;
}

/**
 * Everything a signed-in person sees, loaded apart from the sign-in pages. The query cache lives and
 * dies with it: signing out (or an ended session) unmounts it, so the next account starts empty.
 */
export default function SignedInApp({ page, user, sessionId, onSignOut, endSession, onUnauthorized }: SignedInAppProps) {
  const latestOnUnauthorized = useRef(onUnauthorized);
  latestOnUnauthorized.current = onUnauthorized;
  const [queryClient] = useState(() => createQueryClient(() => latestOnUnauthorized.current()));
  return (
    <QueryClientProvider client={queryClient}>
      {page === "account" ? (
        <AccountPage user={user} sessionId={sessionId} onSignOut={onSignOut} endSession={endSession} />
      ) : (
        <TasksPage user={user} onSignOut={onSignOut} />
      )}
    </QueryClientProvider>
  );
}
