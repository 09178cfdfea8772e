/**
 * Lighthouse's mobile preset on the sign-in page and on the task page of a new user with 30 tasks, in
 * Debian's Chromium, against a server that is already running (npm run build && npm start).
 *
 * Lighthouse is not a dependency of the project (it brings a few hundred packages); install it apart:
 *   npm i -E --prefix /tmp/lh lighthouse@12.2.3
 *   LIGHTHOUSE_DIR=/tmp/lh node --import tsx scripts/lighthouse.ts http://localhost:8000
 * Prints performance, FCP, LCP and TBT per page, the median of RUNS (default 3) runs.
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";

const baseUrl = (process.argv[2] ?? "http://localhost:8000").replace(/\/$/, "");
const lighthouseDir = process.env.LIGHTHOUSE_DIR ?? "/tmp/lh";
const runs = Number(process.env.RUNS ?? 3);
const load = (name: string, file: string) => import(pathToFileURL(path.join(lighthouseDir, "node_modules", name, file)).href);
const { default: lighthouse } = await load("lighthouse", "core/index.js");
const chromeLauncher = await load("chrome-launcher", "dist/index.js");

async function signedInCookie(): Promise<string> {
  const account = { name: "Lighthouse", email: `lh-${randomUUID().slice(0, 8)}@example.com`, password: "correct horse battery" };
  const headers = { origin: baseUrl, "content-type": "application/json" };
  const signUp = await fetch(`${baseUrl}/api/auth/sign-up/email`, { method: "POST", headers, body: JSON.stringify(account) });
  if (!signUp.ok) throw new Error(`sign-up failed: ${signUp.status} ${await signUp.text()}`);
  const { user } = (await signUp.json()) as { user: { id: string } };
  const cookie = signUp.headers
    .getSetCookie()
    .map((line) => line.split(";", 1)[0])
    .join("; ");
  for (let i = 1; i <= 30; i++) {
    const body = JSON.stringify({
      title: `Task ${i}: buy milk, call the plumber`,
      ...(i % 3 === 0 ? { description: "Before noon, and ask about the boiler too." } : {}),
    });
    const created = await fetch(`${baseUrl}/api/${user.id}/tasks`, { method: "POST", headers: { ...headers, cookie }, body });
    if (created.status !== 201) throw new Error(`task creation failed: ${created.status}`);
  }
  return cookie;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(url: string, extraHeaders?: Record<string, string>) {
  const results: { performance: number; fcp: number; lcp: number; tbt: number }[] = [];
  for (let run = 0; run < runs; run++) {
    const chrome = await chromeLauncher.launch({
      chromePath: process.env.CHROME_PATH ?? "/usr/bin/chromium",
      chromeFlags: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const { lhr } = await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error", onlyCategories: ["performance"], extraHeaders });
      const audit = (id: string) => lhr.audits[id].numericValue as number;
      results.push({
        performance: Math.round(lhr.categories.performance.score * 100),
        fcp: audit("first-contentful-paint"),
        lcp: audit("largest-contentful-paint"),
        tbt: audit("total-blocking-time"),
      });
    } finally {
      chrome.kill();
    }
  }
  const pick = (key: keyof (typeof results)[number]) => median(results.map((result) => result[key]));
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  return `performance ${pick("performance")} (runs: ${results.map((r) => r.performance).join(", ")}), FCP ${seconds(pick("fcp"))}, LCP ${seconds(pick("lcp"))}, TBT ${Math.round(pick("tbt"))} ms`;
}

process.stdout.write(`sign-in page: ${await measure(`${baseUrl}/sign-in`)}\n`);
const cookie = await signedInCookie();
process.stdout.write(`task page, 30 tasks: ${await measure(`${baseUrl}/`, { cookie })}\n`);
