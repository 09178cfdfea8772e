import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../config/config.js";

describe("SMTP_URL", () => {
  it("is unset by default: reset links go to the log", () => {
    expect(parseConfig({}).smtpUrl).toBeNull();
  });

  it("accepts smtp:// and smtps:// URLs with a login", () => {
    expect(parseConfig({ SMTP_URL: "smtp://user:pass@mail.example.com:587" }).smtpUrl).toBe("smtp://user:pass@mail.example.com:587");
    expect(parseConfig({ SMTP_URL: " smtps://mail.example.com " }).smtpUrl).toBe("smtps://mail.example.com");
  });

  it("refuses another scheme or no host in one line that never echoes the URL's password", () => {
    for (const bad of ["https://user:s3cret-pw@mail.example.com", "smtp://", "mail.example.com:25", "smtp:///s3cret-pw"]) {
      let thrown: unknown;
      try {
        parseConfig({ SMTP_URL: bad });
      } catch (error) {
        thrown = error;
      }
      expect(thrown, bad).toBeInstanceOf(ConfigError);
      expect((thrown as Error).message).toMatch(/^SMTP_URL must be smtp:\/\//);
      expect((thrown as Error).message).not.toContain("s3cret-pw");
    }
  });
});
