import { describe, expect, it } from "vitest";
import { trustedOriginsOf } from "./auth.plugin.js";

describe("trusted origins for cookie-authenticated writes", () => {
  it("a server on this machine trusts every spelling of its loopback origin", () => {
    expect(trustedOriginsOf({ publicUrl: "http://localhost:8000", port: 8000, trustedOrigins: [] })).toEqual([
      "http://localhost:8000",
      "http://127.0.0.1:8000",
      "http://[::1]:8000",
    ]);
  });

  it("a public server trusts its own origin and the configured ones, never a visitor's localhost", () => {
    const origins = trustedOriginsOf({
      publicUrl: "https://todo.example.com",
      port: 8000,
      trustedOrigins: ["https://admin.example.com"],
    });
    expect(origins).toEqual(["https://todo.example.com", "https://admin.example.com"]);
  });
});
