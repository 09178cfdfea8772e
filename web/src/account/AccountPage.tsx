import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useId, useState } from "react";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../../src/shared/rules";
import { AppHeader } from "../app/AppHeader";
import { useNotices } from "../app/notices";
import { Field } from "../auth/AuthPages";
import { authClient } from "../auth/auth-client";
import { accountRequest } from "./account-client";
import { type SignedInSession, sessionsQuery } from "./account-queries";
import { deviceName } from "./device";
import "./account.css";

const NAME_MAX = 100;
const lastUsedFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

interface AccountPageProps {
  user: { name: string; email: string };
  sessionId: string;
  onSignOut(): Promise<void>;
  endSession(end: () => Promise<void>, farewell: string): Promise<void>;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="account-section card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

/** A mutation whose failure is announced in the alert region, never mistaken for its success. */
function useAccountAction<Input>(action: (input: Input) => Promise<unknown>, onDone: () => void) {
  const { showError, clear } = useNotices();
  return useMutation({
    mutationFn: action,
    onMutate: clear,
    onError: showError,
    onSuccess: onDone,
  });
}

function NameForm({ name }: { name: string }) {
  const { showStatus } = useNotices();
  const [value, setValue] = useState(name);
  const [error, setError] = useState<string>();
  const save = useAccountAction(
    (newName: string) => accountRequest((fetchOptions) => authClient.updateUser({ name: newName, fetchOptions })),
    () => showStatus("Name saved."),
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = value.trim();
    setError(trimmed ? undefined : "Enter your name");
    if (trimmed) save.mutate(trimmed);
  };
  return (
    <form onSubmit={onSubmit} noValidate>
      <Field label="Name" type="text" name="name" autoComplete="name" value={value} onChange={setValue} error={error} maxLength={NAME_MAX} />
      <button type="submit" className="button-primary" disabled={save.isPending}>
        Save name
      </button>
    </form>
  );
}

function PasswordForm() {
  const { showStatus } = useNotices();
  const queryClient = useQueryClient();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [error, setError] = useState<{ current?: string; next?: string }>({});
  const change = useAccountAction(
    () =>
      accountRequest((fetchOptions) =>
        authClient.changePassword({ currentPassword: current, newPassword: next, revokeOtherSessions: true, fetchOptions }),
      ),
    () => {
      setCurrent("");
      setNext("");
      showStatus("Password changed. Your other sessions were signed out.");
      void queryClient.invalidateQueries({ queryKey: ["account"] });
    },
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found = {
      current: current ? undefined : "Enter your current password",
      next: next.length < PASSWORD_MIN ? `Password must be at least ${PASSWORD_MIN} characters` : undefined,
    };
    setError(found);
    if (!found.current && !found.next) change.mutate(undefined);
  };
  return (
    <form onSubmit={onSubmit} noValidate>
      <input type="text" name="username" autoComplete="username" hidden readOnly value="" />
      <Field
        label="Current password"
        type="password"
        name="current-password"
        autoComplete="current-password"
        value={current}
        onChange={setCurrent}
        error={error.current}
      />
      <Field
        label="New password"
        type="password"
        name="new-password"
        autoComplete="new-password"
        value={next}
        onChange={setNext}
        error={error.next}
        hint={`At least ${PASSWORD_MIN} characters (at most ${PASSWORD_MAX}). Your other sessions will be signed out.`}
        maxLength={PASSWORD_MAX}
      />
      <button type="submit" className="button-primary" disabled={change.isPending}>
        Change password
      </button>
    </form>
  );
}

function SessionItem({ session, current }: { session: SignedInSession; current: boolean }) {
  const { showStatus } = useNotices();
  const queryClient = useQueryClient();
  const device = deviceName(session.userAgent);
  const lastUsed = new Date(session.updatedAt);
  const revoke = useAccountAction(
    () => accountRequest((fetchOptions) => authClient.revokeSession({ token: session.token, fetchOptions })),
    () => {
      showStatus(`Signed out ${device}.`);
      void queryClient.invalidateQueries({ queryKey: ["account", "sessions"] });
    },
  );
  return (
    <li className="session">
      <div className="session-text">
        <p className="session-device">
          {device}
          {current && <span className="session-current"> (this device)</span>}
        </p>
        <p className="hint">
          {session.ipAddress ?? "Unknown address"} · last used <time dateTime={lastUsed.toISOString()}>{lastUsedFormat.format(lastUsed)}</time>
        </p>
      </div>
      {!current && (
        <button
          type="button"
          className="button-quiet button-small"
          disabled={revoke.isPending}
          aria-label={`Sign out ${device}, last used ${lastUsedFormat.format(lastUsed)}`}
          onClick={() => revoke.mutate(undefined)}
        >
          Sign out
        </button>
      )}
    </li>
  );
}

function Sessions({ sessionId }: { sessionId: string }) {
  const { showStatus } = useNotices();
  const queryClient = useQueryClient();
  const sessions = useQuery(sessionsQuery());
  const revokeOthers = useAccountAction(
    () => accountRequest((fetchOptions) => authClient.revokeOtherSessions({ fetchOptions })),
    () => {
      showStatus("Signed out everywhere else.");
      void queryClient.invalidateQueries({ queryKey: ["account", "sessions"] });
    },
  );
  if (sessions.isPending) return <p className="hint">Loading sessions…</p>;
  if (sessions.isError) {
    return (
      <div className="row">
        <p className="field-error">Couldn't load your sessions: {sessions.error.message}</p>
        <button type="button" className="button-quiet button-small" onClick={() => void sessions.refetch()}>
          Try again
        </button>
      </div>
    );
  }
  const list = [...sessions.data].sort((a, b) => Number(b.id === sessionId) - Number(a.id === sessionId));
  return (
    <>
      <ul aria-label="Signed-in sessions" className="sessions">
        {list.map((session) => (
          <SessionItem key={session.id} session={session} current={session.id === sessionId} />
        ))}
      </ul>
      <button
        type="button"
        className="button-quiet"
        disabled={revokeOthers.isPending || list.length < 2}
        onClick={() => revokeOthers.mutate(undefined)}
      >
        Sign out all other sessions
      </button>
    </>
  );
}

function DeleteForm({ endSession }: Pick<AccountPageProps, "endSession">) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const remove = useAccountAction(
    () =>
      endSession(
        () => accountRequest((fetchOptions) => authClient.deleteUser({ password, fetchOptions })).then(() => {}),
        "Your account and all its tasks were deleted.",
      ),
    () => {},
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setError(password ? undefined : "Enter your password to confirm");
    if (password) remove.mutate(undefined);
  };
  return (
    <form onSubmit={onSubmit} noValidate>
      <p>Deleting your account deletes every task in it, for good. This cannot be undone.</p>
      <Field
        label="Password"
        type="password"
        name="delete-password"
        autoComplete="current-password"
        value={password}
        onChange={setPassword}
        error={error}
      />
      <button type="submit" className="button-quiet button-danger" disabled={remove.isPending}>
        Delete account
      </button>
    </form>
  );
}

export function AccountPage({ user, sessionId, onSignOut, endSession }: AccountPageProps) {
  return (
    <>
      <AppHeader user={user} current="account" onSignOut={onSignOut} />
      <main className="page account">
        <h1>Account</h1>
        <p className="hint">Signed in as {user.email}</p>
        <Section title="Profile">
          <NameForm name={user.name} />
        </Section>
        <Section title="Change password">
          <PasswordForm />
        </Section>
        <Section title="Signed-in sessions">
          <Sessions sessionId={sessionId} />
        </Section>
        <Section title="Delete account">
          <DeleteForm endSession={endSession} />
        </Section>
      </main>
    </>
  );
}
