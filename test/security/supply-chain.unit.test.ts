import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The supply chain (OWASP API10, "unsafe consumption", applied to our own dependencies): what
 * `npm ci` installs is pinned by a committed lock file, every package from the npm registry and
 * checked against an integrity hash. npm audit does not answer from CI machines, so this is no audit.
 */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const REGISTRY = "https://registry.npmjs.org/";

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  hasInstallScript?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(`${ROOT}/package-lock.json`, "utf8")) as { lockfileVersion: number; packages: Record<string, LockEntry> };
const manifest = JSON.parse(readFileSync(`${ROOT}/package.json`, "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const installed = Object.entries(lock.packages).filter(([path]) => path !== "");

describe("supply chain", () => {
  it("package-lock.json is committed and describes exactly package.json's dependencies", () => {
    expect(execFileSync("git", ["ls-files", "--error-unmatch", "package-lock.json"], { cwd: ROOT, encoding: "utf8" }).trim()).toBe(
      "package-lock.json",
    );
    expect(lock.lockfileVersion).toBeGreaterThanOrEqual(3);
    expect(lock.packages[""]!.dependencies).toEqual(manifest.dependencies);
    expect(lock.packages[""]!.devDependencies).toEqual(manifest.devDependencies);
  });

  it("every dependency is a registry version range: no git, file, link or URL specifiers", () => {
    for (const [name, spec] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
      expect({ name, spec }).toEqual({ name, spec: expect.stringMatching(/^[~^]?\d+\.\d+\.\d+(-[\w.]+)?$/) });
    }
  });

  it("every locked package comes from the npm registry with a sha512 integrity hash", () => {
    expect(installed.length).toBeGreaterThan(100);
    const npmrc = readFileSync(`${ROOT}/.npmrc`, "utf8");
    expect(npmrc).toMatch(new RegExp(`^registry=${REGISTRY.replaceAll(".", "\\.")}$`, "m"));
    const offenders = installed.filter(
      ([, entry]) =>
        entry.link === true ||
        !/^sha512-[A-Za-z0-9+/]{86}==$/.test(entry.integrity ?? "") ||
        // Written only when it differs from the configured registry (.npmrc above) or always, by config.
        (entry.resolved !== undefined && !entry.resolved.startsWith(REGISTRY)),
    );
    expect(offenders.map(([path, entry]) => `${path} ${entry.resolved ?? ""} ${entry.integrity ?? "no integrity"}`)).toEqual([]);
  });

  it("every production dependency and every package with an install script is named in docs/security.md", () => {
    const doc = readFileSync(`${ROOT}/docs/security.md`, "utf8");
    const scripted = installed.filter(([, entry]) => entry.hasInstallScript).map(([path]) => path.replace(/^.*node_modules\//, ""));
    expect(scripted.length).toBeGreaterThan(0);
    const section = doc.slice(doc.indexOf("### Install scripts"));
    for (const name of new Set(scripted)) expect(section, name).toContain(`\`${name}\``);
    for (const name of Object.keys(manifest.dependencies)) expect(doc, name).toContain(`| \`${name}\` |`);
  });
});
