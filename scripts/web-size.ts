import { readFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

/**
 * The JavaScript a first visit (the sign-in page) downloads, gzipped. Close above what it needs, so
 * a task screen or a library slipping out of the lazy chunks into the initial one fails the build.
 */
export const INITIAL_JS_BUDGET_BYTES = 90 * 1024;

export interface InitialJavaScript {
  files: string[];
  gzipBytes: number;
}

/**
 * What index.html makes the browser fetch before the app can run: its module script and the chunks it
 * preloads (lazy chunks load later and are not counted). Sizes are gzip level 9, as a server would send.
 */
export function measureInitialJavaScript(webDir: string): InitialJavaScript {
  const html = readFileSync(path.join(webDir, "index.html"), "utf8");
  const tags = [...html.matchAll(/<(?:script[^>]*\bsrc|link[^>]*rel="modulepreload"[^>]*\bhref)="([^"]+\.js)"/g)];
  const files = [...new Set(tags.map((match) => match[1]!))];
  if (files.length === 0) throw new Error(`${webDir}/index.html loads no JavaScript`);
  const gzipBytes = files
    .map((file) => gzipSync(readFileSync(path.join(webDir, file.replace(/^\//, ""))), { level: 9 }).length)
    .reduce((sum, size) => sum + size, 0);
  return { files, gzipBytes };
}

export function describeInitialJavaScript({ files, gzipBytes }: InitialJavaScript): string {
  const kb = (bytes: number) => (bytes / 1024).toFixed(1);
  return `initial JavaScript: ${kb(gzipBytes)} KB gzipped (budget ${kb(INITIAL_JS_BUDGET_BYTES)} KB) in ${files.join(", ")}`;
}
