import { type FormEvent, useState } from "react";
import { PASSWORD_MAX, PASSWORD_MIN } from "../../../src/shared/rules";
import { accountRequest } from "../account/account-client";
import { useNotices } from "../app/notices";
import { followLink, navigate } from "../app/router";
import { AuthCard, Field, useSubmit } from "./AuthPages";
import { authClient } from "./auth-client";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const backToSignIn = (
  <a href="/sign-in" onClick={followLink}>
    Back to sign in
  </a>
);

export function ForgotPasswordPage() {
  const { showStatus } = useNotices();
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string>();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, submit } = useSubmit(async () => {
    const address = email.trim();
    await accountRequest((fetchOptions) => authClient.requestPasswordReset({ email: address, fetchOptions }));
    setSentTo(address);
    showStatus("Check your email for a reset link.");
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const valid = EMAIL.test(email.trim());
    setError(valid ? undefined : "Enter a valid email address");
    if (valid) void submit();
  };
  return (
    <AuthCard title="Reset your password" footer={backToSignIn}>
      {sentTo ? (
        // The same words whether or not the address has an account: the page is no way to find out.
        <p>If an account uses {sentTo}, a link to choose a new password is on its way there. It works once, within the hour.</p>
      ) : (
        <form onSubmit={onSubmit} noValidate>
          <p className="hint">Enter your account's email and we'll send you a link to choose a new password.</p>
          <Field label="Email" type="email" name="email" autoComplete="email" value={email} onChange={setEmail} error={error} />
          <button type="submit" className="button-primary" disabled={busy}>
            Send reset link
          </button>
        </form>
      )}
    </AuthCard>
  );
}

export function ResetPasswordPage({ token, onPasswordReset }: { token: string | null; onPasswordReset(): Promise<void> }) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const { busy, submit } = useSubmit(async () => {
    await accountRequest((fetchOptions) => authClient.resetPassword({ newPassword: password, token: token!, fetchOptions }));
    await onPasswordReset();
    navigate("/sign-in", { replace: true });
  });
  if (!token) {
    return (
      <AuthCard title="Choose a new password" footer={backToSignIn}>
        <p>This reset link is incomplete. Open the link from the mail again, or ask for a new one.</p>
        <p>
          <a href="/forgot-password" onClick={followLink}>
            Ask for a new link
          </a>
        </p>
      </AuthCard>
    );
  }
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const short = password.length < PASSWORD_MIN;
    setError(short ? `Password must be at least ${PASSWORD_MIN} characters` : undefined);
    if (!short) void submit();
  };
  return (
    <AuthCard
      title="Choose a new password"
      footer={
        <a href="/forgot-password" onClick={followLink}>
          Ask for a new link
        </a>
      }
    >
      <form onSubmit={onSubmit} noValidate>
        <Field
          label="New password"
          type="password"
          name="new-password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={error}
          hint={`At least ${PASSWORD_MIN} characters (at most ${PASSWORD_MAX}). Every device signed in to the account will be signed out.`}
          maxLength={PASSWORD_MAX}
        />
        <button type="submit" className="button-primary" disabled={busy}>
          Set new password
        </button>
      </form>
    </AuthCard>
  );
}
