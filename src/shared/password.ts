import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { characterCount } from "./characters.js";
import { PASSWORD_MAX, PASSWORD_MIN } from "./rules.js";

/** zxcvbn's 0-4 scale: 0 and 1 fall to an online guesser within hours (the most common passwords). */
const PASSWORD_SCORE_MIN = 2;

type PasswordProblem = "PASSWORD_TOO_SHORT" | "PASSWORD_TOO_LONG" | "PASSWORD_TOO_WEAK";

export interface PasswordVerdict {
  /** 0 (guessed at once) to 4 (very hard to guess), zxcvbn's estimate. */
  score: number;
  problem?: PasswordProblem;
  /** What to tell the person, when there is a problem. */
  message?: string;
}

/**
 * The one judge of a new password, for the server (sign-up, change, reset) and the sign-up form's
 * strength meter alike. Building it ranks the dictionary once (tens of milliseconds), so it is made
 * once per server or page; `userInputs` (email, name) count as guessable words.
 */
export function createPasswordJudge() {
  const zxcvbn = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  return (password: string, userInputs: string[] = []): PasswordVerdict => {
    if (password.length > PASSWORD_MAX * 4 || characterCount(password) > PASSWORD_MAX) {
      return { score: 0, problem: "PASSWORD_TOO_LONG", message: `Password must be at most ${PASSWORD_MAX} characters` };
    }
    if (password.trim() === "") return { score: 0, problem: "PASSWORD_TOO_WEAK", message: "Password must not be only spaces" };
    if (characterCount(password) < PASSWORD_MIN) {
      return { score: 0, problem: "PASSWORD_TOO_SHORT", message: `Password must be at least ${PASSWORD_MIN} characters` };
    }
    const { score } = zxcvbn.check(password, userInputs);
    if (score < PASSWORD_SCORE_MIN) {
      return { score, problem: "PASSWORD_TOO_WEAK", message: "Password is too easy to guess: add more words or characters" };
    }
    return { score };
  };
}

export type PasswordJudge = ReturnType<typeof createPasswordJudge>;
