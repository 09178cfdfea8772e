import { useEffect, useState } from "react";
import type { PasswordJudge } from "../../../src/shared/password";

const LABELS = ["Very weak", "Weak", "Fair", "Strong", "Very strong"];

/**
 * The new password's strength while it is typed, judged by the server's own rules. The judge and
 * its dictionary (several hundred KB) load only once this is shown, so the sign-in page stays light.
 */
export function PasswordStrength({ password, userInputs }: { password: string; userInputs: string[] }) {
  const [judge, setJudge] = useState<PasswordJudge | null>(null);
  useEffect(() => {
    let current = true;
    void import("../../../src/shared/password").then(({ createPasswordJudge }) => {
      if (current) setJudge(() => createPasswordJudge());
    });
    return () => {
      current = false;
    };
  }, []);
  if (!judge || password === "") return null;
  const verdict = judge(password, userInputs.filter(Boolean));
  return (
    <div className="password-strength" aria-live="polite">
      <meter min={0} max={4} low={2} high={3} optimum={4} value={verdict.score} aria-label="Password strength" />
      <p className="hint">
        {LABELS[verdict.score]}
        {verdict.message ? `: ${verdict.message}` : ""}
      </p>
    </div>
  );
}
