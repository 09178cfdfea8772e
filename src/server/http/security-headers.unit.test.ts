import { describe, expect, it } from "vitest";
import { securityHeaders } from "./security-headers.js";

describe("securityHeaders", () => {
  it("records the headers helmet sets for the options, once", () => {
    const headers = securityHeaders({
      contentSecurityPolicy: { directives: { "frame-ancestors": ["'none'"], "upgrade-insecure-requests": null } },
      frameguard: { action: "deny" },
      hsts: false,
    });
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    expect(headers).not.toHaveProperty("strict-transport-security");
    expect(Object.isFrozen(headers)).toBe(true);
  });

  it("adds HSTS when asked, and refuses options helmet refuses", () => {
    expect(securityHeaders({ hsts: true })["strict-transport-security"]).toMatch(/^max-age=\d+/);
    expect(() => securityHeaders({ contentSecurityPolicy: { directives: { "default-src": ["'self'", "bad value;"] } } })).toThrow();
  });
});
