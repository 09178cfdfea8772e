// Preloaded into the server by the soak (node --import): appends the process's memory to
// SOAK_MEMORY_FILE every SOAK_SAMPLE_MS, one JSON line each, without touching the server's code.
import { appendFileSync } from "node:fs";

const file = process.env.SOAK_MEMORY_FILE;
const everyMs = Number(process.env.SOAK_SAMPLE_MS ?? 5_000);

if (file) {
  const started = Date.now();
  setInterval(() => {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ at: Date.now() - started, rss, heapUsed, heapTotal, external })}\n`);
  }, everyMs).unref();
}
