import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "./config.js";
import { GENERATED_SECRET_FILE, loadOrCreateSecret } from "./secret.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "ticked-secret-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the generated secret", () => {
  it("is created once, readable only by its owner, with a warning, and reused after", () => {
    const warnings: string[] = [];
    const first = loadOrCreateSecret(dir, (message) => warnings.push(message));
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(statSync(path.join(dir, GENERATED_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).not.toContain(first);
    expect(loadOrCreateSecret(dir, (message) => warnings.push(message))).toBe(first);
    expect(warnings).toHaveLength(1);
  });

  it("a stored secret that is too short stops the start instead of weakening every session", () => {
    writeFileSync(path.join(dir, GENERATED_SECRET_FILE), "\n");
    expect(() => loadOrCreateSecret(dir, () => {})).toThrow(ConfigError);
    expect(() => loadOrCreateSecret(dir, () => {})).toThrow(/holds fewer than 32 characters/);
    expect(readFileSync(path.join(dir, GENERATED_SECRET_FILE), "utf8")).toBe("\n");
  });

  it("an unreadable secret file stops the start with its reason", () => {
    rmSync(dir, { recursive: true });
    writeFileSync(`${dir}`, "");
    expect(() => loadOrCreateSecret(path.join(dir, "data"), () => {})).toThrow(/cannot be read \(ENOTDIR\)/);
  });
});
