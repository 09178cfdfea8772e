import type { Measurement } from "./scenarios.js";

export function median(values: number[]): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A scenario's medians over its rounds; RSS is the peak over all rounds. */
export type Summary = Omit<Measurement, "errorKinds" | "round">;

/** Medians over the rounds of each (scenario, target); errors add up, RSS is the peak. */
export function summarize(measurements: Measurement[]): Summary[] {
  const groups = new Map<string, Measurement[]>();
  for (const m of measurements) {
    const key = `${m.target}\u0000${m.scenario}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.values()].map((group) => {
    const rss = group.map((m) => m.rssMb).filter((value): value is number => value !== undefined);
    return {
      scenario: group[0]!.scenario,
      target: group[0]!.target,
      requestsPerSecond: median(group.map((m) => m.requestsPerSecond)),
      p50Ms: median(group.map((m) => m.p50Ms)),
      p99Ms: median(group.map((m) => m.p99Ms)),
      errors: group.reduce((sum, m) => sum + m.errors, 0),
      rssMb: rss.length ? Math.max(...rss) : undefined,
      cpuMsPerRequest: group[0]!.cpuMsPerRequest === undefined ? undefined : median(group.map((m) => m.cpuMsPerRequest!)),
    };
  });
}

const number = (value: number, digits = 0) =>
  Number.isFinite(value) ? value.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "-";

const optional = (value: number | undefined, digits = 0) => (value === undefined ? "-" : number(value, digits));

/**
 * A Markdown table of one target's summaries; with a reference target, its req/s and p99 beside
 * ours and the ratios (ours / reference).
 */
export function table(title: string, ours: Summary[], reference?: Summary[]): string {
  const header = ["scenario", "req/s", "p50 ms", "p99 ms", "errors", "RSS MB", "CPU ms/req"];
  if (reference) header.push(`${reference[0]?.target ?? "reference"} req/s`, "p99 ms", "CPU ms/req", "req/s ratio", "p99 ratio");
  const rows = ours.map((s) => {
    const row = [
      s.scenario,
      number(s.requestsPerSecond),
      number(s.p50Ms, 1),
      number(s.p99Ms, 1),
      String(s.errors),
      optional(s.rssMb),
      optional(s.cpuMsPerRequest, 3),
    ];
    const ref = reference?.find((r) => r.scenario === s.scenario);
    if (reference) {
      row.push(
        ref ? number(ref.requestsPerSecond) : "-",
        ref ? number(ref.p99Ms, 1) : "-",
        optional(ref?.cpuMsPerRequest, 3),
        ref ? `${number((100 * s.requestsPerSecond) / ref.requestsPerSecond)}%` : "-",
        ref ? number(s.p99Ms / ref.p99Ms, 2) : "-",
      );
    }
    return row;
  });
  const align = header.map((_, i) => (i === 0 ? "---" : "---:"));
  return [`### ${title}`, "", ...[header, align, ...rows].map((cells) => `| ${cells.join(" | ")} |`)].join("\n");
}
