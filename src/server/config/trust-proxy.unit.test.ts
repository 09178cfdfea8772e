import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config.js";

const trustProxy = (value?: string) => parseConfig(value === undefined ? {} : { TRUST_PROXY: value }).trustProxy;

describe("TRUST_PROXY", () => {
  it("is off by default", () => {
    expect(trustProxy()).toBe(false);
    expect(trustProxy("false")).toBe(false);
  });

  it("takes true, a hop count, or comma-separated proxy addresses and CIDR ranges", () => {
    expect(trustProxy("true")).toBe(true);
    expect(trustProxy("2")).toBe(2);
    expect(trustProxy("10.0.0.0/8, 127.0.0.1,::1,fd00::/8,loopback")).toEqual(["10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8", "loopback"]);
  });

  it("anything else stops the start with one line naming the variable", () => {
    for (const value of ["yes", "10.0.0.0/33", "10.0.0.1,proxy.example.com", "-1"]) {
      expect(() => trustProxy(value)).toThrow(ConfigError);
      expect(() => trustProxy(value)).toThrow(/^TRUST_PROXY must be true, a hop count, or comma-separated proxy addresses or CIDR ranges, got "/);
    }
  });
});
