import { describe, expect, it } from "vitest";
import { createFailureLimiter } from "./failure-limiter.js";

function limiter(maxKeys = 100) {
  let clock = 1_000_000;
  const limits = createFailureLimiter({ maxFailures: 3, windowMs: 60_000, maxKeys, now: () => clock });
  return { limits, advance: (ms: number) => (clock += ms) };
}

describe("failure limiter", () => {
  it("pauses a key after its maximum of failures, for the rest of the window", () => {
    const { limits, advance } = limiter();
    limits.failed("ann@example.com");
    limits.failed("ann@example.com");
    expect(limits.retryAfter("ann@example.com")).toBeNull();
    limits.failed("ann@example.com");
    advance(15_000);
    expect(limits.retryAfter("ann@example.com")).toBe(45);
    expect(limits.retryAfter("bob@example.com")).toBeNull();
    advance(45_000);
    expect(limits.retryAfter("ann@example.com")).toBeNull();
  });

  it("a success clears the key's failures", () => {
    const { limits } = limiter();
    limits.failed("ann@example.com");
    limits.failed("ann@example.com");
    limits.succeeded("ann@example.com");
    limits.failed("ann@example.com");
    limits.failed("ann@example.com");
    expect(limits.retryAfter("ann@example.com")).toBeNull();
  });

  it("holds at most maxKeys entries: the oldest make room", () => {
    const { limits } = limiter(2);
    for (const email of ["a@x.io", "b@x.io", "c@x.io"]) for (let i = 0; i < 3; i += 1) limits.failed(email);
    expect(limits.retryAfter("a@x.io")).toBeNull();
    expect(limits.retryAfter("b@x.io")).not.toBeNull();
    expect(limits.retryAfter("c@x.io")).not.toBeNull();
  });
});
