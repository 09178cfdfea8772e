import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from "react";
import { toRequestError } from "../api/errors";

interface Notices {
  /** Announces a failure in the alert region (assertive), replacing the previous one. */
  showError(error: unknown): void;
  /** Announces a completed action or a state in the status region (polite). */
  showStatus(text: string): void;
  clear(): void;
}

const NoticesContext = createContext<Notices | null>(null);

export function useNotices(): Notices {
  const notices = useContext(NoticesContext);
  if (!notices) throw new Error("useNotices outside <NoticesProvider>");
  return notices;
}

/** One alert and one status live region for the whole app, always present so that changes are announced. */
export function NoticesProvider({ children }: { children: ReactNode }) {
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const showError = useCallback((thrown: unknown) => {
    const error = toRequestError(thrown);
    // An ended session is not an error to read: the app sends the person to sign in, and says why.
    if (error.kind !== "unauthorized") setError(error.message);
  }, []);
  const showStatus = useCallback((text: string) => setStatus(text), []);
  const clear = useCallback(() => {
    setError("");
    setStatus("");
  }, []);
  const notices = useMemo(() => ({ showError, showStatus, clear }), [showError, showStatus, clear]);
  return (
    <NoticesContext.Provider value={notices}>
      <div className="notices">
        <div role="alert" className={error ? "notice notice-error" : undefined}>
          {error && (
            <>
              <span>{error}</span>
              <button type="button" className="button-quiet" onClick={() => setError("")}>
                Dismiss
              </button>
            </>
          )}
        </div>
        <div role="status" className={status ? "notice notice-status" : undefined}>
          {status}
        </div>
      </div>
      {children}
    </NoticesContext.Provider>
  );
}
