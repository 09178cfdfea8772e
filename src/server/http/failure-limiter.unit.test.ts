import { afterEach, describe, expect, it, vi } from "vitest";
import { addressKey, createLimit } from "./failure-limiter.js";

const limit = () => createLimit(undefined, { name: "unit", points: 3, windowMs: 60_000 });

afterEach(() => {
  vi.useRealTimers();
});

describe("limit", () => {
  it("refuses a key past its maximum for the rest of the window, without moving the window", async () => {
    vi.useFakeTimers();
    const limits = await limit();
    expect(await limits.take("ann@example.com")).toBeNull();
    expect(await limits.take("ann@example.com")).toBeNull();
    expect(limits.blockedFor("ann@example.com")).toBeNull();
    expect(await limits.take("ann@example.com")).toBeNull();
    expect(limits.blockedFor("ann@example.com")).toBe(60);
    vi.advanceTimersByTime(15_000);
    expect(await limits.take("ann@example.com")).toBe(45);
    expect(await limits.take("bob@example.com")).toBeNull();
    vi.advanceTimersByTime(45_000);
    expect(limits.blockedFor("ann@example.com")).toBeNull();
    expect(await limits.take("ann@example.com")).toBeNull();
  });

  it("parallel takes never let more than the maximum through", async () => {
    const limits = await limit();
    const answers = await Promise.all(Array.from({ length: 30 }, () => limits.take("raced@example.com")));
    expect(answers.filter((answer) => answer === null)).toHaveLength(3);
  });

  it("a cleared key starts again; a count given back is not counted", async () => {
    const limits = await limit();
    for (let i = 0; i < 3; i += 1) await limits.take("ann@example.com");
    await limits.clear("ann@example.com");
    expect(limits.blockedFor("ann@example.com")).toBeNull();
    await limits.take("ann@example.com");
    await limits.take("ann@example.com");
    await limits.giveBack("ann@example.com");
    expect(await limits.take("ann@example.com")).toBeNull();
    expect(await limits.take("ann@example.com")).toBeNull();
    expect(await limits.take("ann@example.com")).not.toBeNull();
  });

  it("keys of any length are counted", async () => {
    const limits = await limit();
    const long = `${"a".repeat(10_000)}@example.com`;
    for (let i = 0; i < 3; i += 1) expect(await limits.take(long)).toBeNull();
    expect(await limits.take(long)).not.toBeNull();
  });
});

describe("address keys", () => {
  it("an IPv6 address is keyed by its /64; IPv4 and IPv4-mapped IPv6 by the address", () => {
    expect(addressKey("2001:db8:1:2::1")).toBe(addressKey("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    expect(addressKey("2001:db8:1:2::1")).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:3::1")).not.toBe(addressKey("2001:db8:1:2::1"));
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });
});
