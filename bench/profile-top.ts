// Prints the top of a V8 CPU profile (node --cpu-prof): self time by function and by package.
//   node --import tsx bench/profile-top.ts PROFILE.cpuprofile [COUNT]
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, countArg] = process.argv.slice(2);
if (!file) throw new Error("usage: profile-top.ts PROFILE.cpuprofile [COUNT]");
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const count = Number(countArg ?? 25);

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);

/** node_modules/<package> or node:internal or our own file. */
function packageOf(url: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.startsWith("node:")) return "node (built-in)";
  if (url === "") return "(native / GC / idle)";
  return url.includes("/src/") ? "ticked (src)" : url;
}

function top(key: (node: ProfileNode) => string) {
  const sums = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const name = key(byId.get(id)!);
    sums.set(name, (sums.get(name) ?? 0) + ms);
  }
  return [...sums].sort((a, b) => b[1] - a[1]).slice(0, count);
}

const line = ([name, ms]: [string, number]) => `${((100 * ms) / total).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(6)} ms  ${name}`;
console.log(`total ${total.toFixed(0)} ms sampled\n\nby package:`);
console.log(
  top((node) => packageOf(node.callFrame.url))
    .map(line)
    .join("\n"),
);
console.log("\nby function (self time):");
console.log(
  top((node) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^.*node_modules\//, "").replace(/^file:\/\/.*\/src\//, "src/");
    return `${functionName || "(anonymous)"} ${where}:${lineNumber + 1}`;
  })
    .map(line)
    .join("\n"),
);
