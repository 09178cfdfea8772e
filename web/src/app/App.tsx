import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { RequestError } from "../api/errors";
import { SignInPage, SignUpPage } from "../auth/AuthPages";
import { authClient, authRequest } from "../auth/auth-client";
import { TasksPage } from "../tasks/TasksPage";
import { NoticesProvider, useNotices } from "./notices";
import { navigate, safeNext, useLocation } from "./router";

export const SESSION_EXPIRED = "Your session has expired. Please sign in again.";

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

function Routes() {
  const location = useLocation();
  const [pathname, search = ""] = location.split("?");
  const session = authClient.useSession();
  const { showStatus, clear } = useNotices();
  // A 401 from the API means the session ended while the page was open; until the next sign-in the
  // session Better Auth remembers is not trusted.
  const [expired, setExpired] = useState(false);
  const signingOut = useRef(false);
  const hadUser = useRef(false);
  const user = expired ? null : (session.data?.user ?? null);

  const onUnauthorized = useRef(() => {});
  const [queryClient] = useState(() => createQueryClient(() => onUnauthorized.current()));
  onUnauthorized.current = () => {
    if (expired) return;
    setExpired(true);
    void session.refetch();
  };

  const onAuthPage = pathname === "/sign-in" || pathname === "/sign-up";
  useEffect(() => {
    if (session.isPending) return;
    if (user) {
      hadUser.current = true;
      if (onAuthPage) navigate(safeNext(new URLSearchParams(search).get("next")), { replace: true });
      else if (pathname !== "/") navigate("/", { replace: true });
      return;
    }
    queryClient.clear();
    if (hadUser.current && !signingOut.current) showStatus(SESSION_EXPIRED);
    hadUser.current = false;
    signingOut.current = false;
    if (!onAuthPage) navigate(`/sign-in?next=${encodeURIComponent(location)}`, { replace: true });
  }, [session.isPending, user, onAuthPage, pathname, search, location, queryClient, showStatus]);

  if (session.isPending && !session.data) {
    return (
      <main className="loading" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  const signedIn = () => {
    clear();
    setExpired(false);
  };
  if (!user) {
    return pathname === "/sign-up" ? <SignUpPage onSignedIn={signedIn} /> : <SignInPage onSignedIn={signedIn} />;
  }
  if (pathname !== "/") return null;
  const signOut = async () => {
    signingOut.current = true;
    try {
      await authRequest(() => authClient.signOut());
    } catch (error) {
      signingOut.current = false;
      throw error;
    }
  };
  return (
    <QueryClientProvider client={queryClient}>
      <TasksPage user={user} onSignOut={signOut} />
    </QueryClientProvider>
  );
}

export function App() {
  return (
    <NoticesProvider>
      <Routes />
    </NoticesProvider>
  );
}
