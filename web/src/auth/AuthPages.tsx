import { type FormEvent, type ReactNode, useId, useState } from "react";
import { characterCount } from "../../../src/shared/characters";
import { NAME_MAX, PASSWORD_MAX, PASSWORD_MIN } from "../../../src/shared/rules";
import { useNotices } from "../app/notices";
import { followLink } from "../app/router";
import { authClient, authRequest } from "./auth-client";
import { PasswordStrength } from "./PasswordStrength";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface FieldProps {
  label: string;
  type: "text" | "email" | "password";
  name: string;
  autoComplete: string;
  value: string;
  onChange(value: string): void;
  error?: string;
  hint?: string;
  maxLength?: number;
}

export function Field({ label, type, name, autoComplete, value, onChange, error, hint, maxLength }: FieldProps) {
  const id = useId();
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type={type}
        name={name}
        autoComplete={autoComplete}
        value={value}
        maxLength={maxLength}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function AuthCard({ title, children, footer }: { title: string; children: ReactNode; footer: ReactNode }) {
  return (
    <main className="auth">
      <p className="brand brand-large" aria-hidden="true">
        Ticked
      </p>
      <div className="card">
        <h1>{title}</h1>
        {children}
      </div>
      <p className="auth-footer">{footer}</p>
    </main>
  );
}

/** Submits once at a time; the fields keep what was typed whatever the answer. */
export function useSubmit(action: () => Promise<void>) {
  const { showError, clear } = useNotices();
  const [busy, setBusy] = useState(false);
  return {
    busy,
    submit: async () => {
      setBusy(true);
      clear();
      try {
        await action();
      } catch (error) {
        showError(error);
      } finally {
        setBusy(false);
      }
    },
  };
}

export function SignInPage({ onSignedIn }: { onSignedIn(): void }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, submit } = useSubmit(async () => {
    await authRequest(() => authClient.signIn.email({ email: email.trim(), password }));
    onSignedIn();
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit();
  };
  return (
    <AuthCard
      title="Sign in to Ticked"
      footer={
        <>
          New here?{" "}
          <a href="/sign-up" onClick={followLink}>
            Create an account
          </a>
        </>
      }
    >
      <form onSubmit={onSubmit} noValidate>
        <Field label="Email" type="email" name="email" autoComplete="email" value={email} onChange={setEmail} />
        <Field label="Password" type="password" name="password" autoComplete="current-password" value={password} onChange={setPassword} />
        <button type="submit" className="button-primary" disabled={busy}>
          Sign in
        </button>
        <p className="auth-footer">
          <a href="/forgot-password" onClick={followLink}>
            Forgot password?
          </a>
        </p>
      </form>
    </AuthCard>
  );
}

interface SignUpErrors {
  name?: string;
  email?: string;
  password?: string;
}

export function validateSignUp(name: string, email: string, password: string): SignUpErrors {
  const errors: SignUpErrors = {};
  if (!name.trim()) errors.name = "Enter your name";
  if (!EMAIL.test(email.trim())) errors.email = "Enter a valid email address";
  if (password !== "" && password.trim() === "") errors.password = "Password must not be only spaces";
  else if (characterCount(password) < PASSWORD_MIN) errors.password = `Password must be at least ${PASSWORD_MIN} characters`;
  return errors;
}

export function SignUpPage({ onSignedIn }: { onSignedIn(): void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<SignUpErrors>({});
  const { busy, submit } = useSubmit(async () => {
    await authRequest(() => authClient.signUp.email({ name: name.trim(), email: email.trim(), password }));
    onSignedIn();
  });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const found = validateSignUp(name, email, password);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      // After the render that marks the fields: focus the first one to fix.
      requestAnimationFrame(() => document.querySelector<HTMLInputElement>("[aria-invalid='true']")?.focus());
      return;
    }
    void submit();
  };
  return (
    <AuthCard
      title="Create your account"
      footer={
        <>
          Already have an account?{" "}
          <a href="/sign-in" onClick={followLink}>
            Sign in
          </a>
        </>
      }
    >
      <form onSubmit={onSubmit} noValidate>
        <Field label="Name" type="text" name="name" autoComplete="name" value={name} onChange={setName} error={errors.name} maxLength={NAME_MAX} />
        <Field label="Email" type="email" name="email" autoComplete="email" value={email} onChange={setEmail} error={errors.email} />
        <Field
          label="Password"
          type="password"
          name="password"
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          hint={`At least ${PASSWORD_MIN} characters (at most ${PASSWORD_MAX}).`}
          maxLength={PASSWORD_MAX}
        />
        <PasswordStrength password={password} userInputs={[name, email]} />
        <button type="submit" className="button-primary" disabled={busy}>
          Create account
        </button>
      </form>
    </AuthCard>
  );
}
