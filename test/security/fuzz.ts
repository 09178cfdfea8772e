import fc from "fast-check";

/**
 * The fuzz budget: a short fixed one in CI, a long one from `npm run fuzz` (FUZZ_RUNS), and a seed
 * that reproduces a failure (fast-check prints it with the counterexample; FUZZ_SEED replays it).
 */
export function fuzzSettings(ciRuns: number) {
  const runs = Number(process.env.FUZZ_RUNS ?? ciRuns);
  const seed = process.env.FUZZ_SEED === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(process.env.FUZZ_SEED);
  return {
    runs,
    seed,
    /** Per-test timeout: generous per run, so a long local budget is not cut short. */
    timeout: 30_000 + runs * 1_000,
    parameters: { numRuns: runs, seed, verbose: 1 } satisfies fc.Parameters<unknown>,
  };
}

/** Text a fuzzer should try: the hostile set's kinds of characters, in any mix. */
export const oddText = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: "grapheme", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("", " ", "'", "%", "_", "\u0000", "\uD800", "\u202E", "<script>", "null", "💥", "x".repeat(201), "x".repeat(1001)),
);
