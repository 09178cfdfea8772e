import { describe, expect, it } from "vitest";
import { securityHeaders } from "./security-headers.js";

describe("securityHeaders", () => {
  it("documents may not be framed, sniffed or load scripts from elsewhere; over plain HTTP there is no HSTS", () => {
    const { document } = securityHeaders(false);
    expect(document["x-frame-options"]).toBe("DENY");
    expect(document["x-content-type-options"]).toBe("nosniff");
    expect(document["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(document["content-security-policy"]).toContain("script-src 'self';");
    expect(document["content-security-policy"]).not.toContain("upgrade-insecure-requests");
    expect(document).not.toHaveProperty("strict-transport-security");
    expect(Object.isFrozen(document)).toBe(true);
  });

  it("API answers carry the four headers that protect JSON, and nothing for documents", () => {
    const { api } = securityHeaders(false);
    expect(api).toEqual({
      "content-security-policy": "default-src 'none';frame-ancestors 'none'",
      "cross-origin-resource-policy": "same-origin",
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
    });
  });

  it("behind HTTPS both sets carry HSTS, and documents upgrade insecure requests", () => {
    const { document, api } = securityHeaders(true);
    expect(document["strict-transport-security"]).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
    expect(api["strict-transport-security"]).toBe(document["strict-transport-security"]);
    expect(document["content-security-policy"]).toMatch(/;upgrade-insecure-requests$/);
  });
});
