import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { SignInPage, SignUpPage } from "../auth/AuthPages";
import { authClient, authRequest } from "../auth/auth-client";
import { ForgotPasswordPage, ResetPasswordPage } from "../auth/PasswordResetPages";
import { NoticesProvider, useNotices } from "./notices";
import { navigate, safeNext, useLocation } from "./router";

const SESSION_EXPIRED = "Your session has expired. Please sign in again.";

// The task screens and the query library are fetched only once someone is signed in: the sign-in
// page's first visit downloads neither.
const loadSignedInApp = () => import("../tasks/SignedInApp");
const SignedInApp = lazy(loadSignedInApp);

const SIGNED_IN_PAGES = { "/": "tasks", "/account": "account" } as const;
const signedInPage = (pathname: string) => SIGNED_IN_PAGES[pathname as keyof typeof SIGNED_IN_PAGES];
// Open with or without a session: a reset link may be followed in a browser signed in to the account.
const PASSWORD_RESET_PAGES = new Set(["/forgot-password", "/reset-password"]);

function Loading() {
  return (
    <main className="loading" aria-busy="true">
      <p>Loading…</p>
    </main>
  );
}

function Routes() {
  const location = useLocation();
  const [pathname = "/", search = ""] = location.split("?");
  const session = authClient.useSession();
  const { showStatus, clear } = useNotices();
  // A 401 from the API means the session ended while the page was open; until the next sign-in the
  // session Better Auth remembers is not trusted.
  const [expired, setExpired] = useState(false);
  const signingOut = useRef(false);
  const hadUser = useRef(false);
  const user = expired ? null : (session.data?.user ?? null);

  const onUnauthorized = () => {
    if (expired) return;
    setExpired(true);
    void session.refetch();
  };

  const onAuthPage = pathname === "/sign-in" || pathname === "/sign-up";
  const onResetPage = PASSWORD_RESET_PAGES.has(pathname);
  // Off the sign-in pages a session is likely: fetch the task screens while the session is checked.
  useEffect(() => {
    if (!onAuthPage) void loadSignedInApp();
  }, [onAuthPage]);
  useEffect(() => {
    if (session.isPending || onResetPage) return;
    if (user) {
      hadUser.current = true;
      if (onAuthPage) navigate(safeNext(new URLSearchParams(search).get("next")), { replace: true });
      else if (!signedInPage(pathname)) navigate("/", { replace: true });
      return;
    }
    if (hadUser.current && !signingOut.current) showStatus(SESSION_EXPIRED);
    hadUser.current = false;
    signingOut.current = false;
    if (!onAuthPage) navigate(`/sign-in?next=${encodeURIComponent(location)}`, { replace: true });
  }, [session.isPending, user, onAuthPage, onResetPage, pathname, search, location, showStatus]);

  /** Runs what ends the session (sign-out, deletion, a reset), so its end is not told as an expiry. */
  const endSession = async (end: () => Promise<void>, farewell?: string) => {
    signingOut.current = true;
    try {
      await end();
    } catch (error) {
      signingOut.current = false;
      throw error;
    }
    if (farewell) showStatus(farewell);
  };

  if (onResetPage) {
    return pathname === "/reset-password" ? (
      <ResetPasswordPage
        token={new URLSearchParams(search).get("token")}
        onPasswordReset={() => endSession(async () => void (await session.refetch()), "Password changed. Sign in with your new password.")}
      />
    ) : (
      <ForgotPasswordPage />
    );
  }
  if (session.isPending && !session.data) return <Loading />;
  const signedIn = () => {
    clear();
    setExpired(false);
  };
  if (!user) {
    return pathname === "/sign-up" ? <SignUpPage onSignedIn={signedIn} /> : <SignInPage onSignedIn={signedIn} />;
  }
  const page = signedInPage(pathname);
  if (!page) return null;
  const signOut = () => endSession(() => authRequest(() => authClient.signOut()));
  return (
    <Suspense fallback={<Loading />}>
      <SignedInApp
        page={page}
        user={user}
        sessionId={session.data?.session.id ?? ""}
        onSignOut={signOut}
        endSession={endSession}
        onUnauthorized={onUnauthorized}
      />
    </Suspense>
  );
}

export function App() {
  return (
    <NoticesProvider>
      <Routes />
    </NoticesProvider>
  );
}
