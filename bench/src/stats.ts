import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { measure } from "mitata";

export interface Figure {
  readonly suite: string;
  readonly name: string;
  /** Median of the candidate, in the unit below. */
  readonly median: number;
  /** Spread of the candidate: [p25, p75] for in-process figures, [min, max] across runs for processes. */
  readonly spread: readonly [number, number];
  readonly unit: "ns" | "ms" | "µs" | "msg/s" | "ops/s" | "B" | "×";
  readonly baseline: string;
  readonly baselineMedian: number;
  /** candidate / baseline (for throughput, baseline / candidate is reported as "× raw"). */
  readonly ratio: number;
  readonly ratioSpread: readonly [number, number];
  readonly goal?: string;
  readonly note?: string;
  /** A cost in counts (the redis-cost suite): not a timing, so it has no ratio and its own table. */
  readonly counts?: {
    readonly per: string;
    readonly commands: number;
    readonly roundTrips: number;
    readonly bytesToRedis: number;
    readonly bytesFromRedis: number;
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * Measures a candidate against its baseline in alternating rounds, so both see the same machine
 * state (JIT, GC, other load), and reports the median of the per-round ratios with their range.
 */
export async function paired(
  candidate: () => unknown,
  baseline: () => unknown,
  rounds = 7,
  cpuNsPerRound = 300e6,
): Promise<{ candidate: number; baseline: number; ratios: number[]; spread: [number, number]; rounds: { candidate: number[]; baseline: number[] } }> {
  const c: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const sb = await measure(baseline, { min_cpu_time: cpuNsPerRound });
    const sc = await measure(candidate, { min_cpu_time: cpuNsPerRound });
    b.push(sb.p50);
    c.push(sc.p50);
    ratios.push(sc.p50 / sb.p50);
  }
  return { candidate: median(c), baseline: median(b), ratios, spread: [Math.min(...c), Math.max(...c)], rounds: { candidate: c, baseline: b } };
}

/** A figure from per-round samples of ours and the baseline; ratios per round (ours ÷ baseline when higher is better). */
export function pairedFigure(
  suite: string,
  name: string,
  ours: number[],
  base: number[],
  baseline: string,
  goal: string,
  unit: Figure["unit"],
  higherIsBetter = true,
): Figure {
  const ratios = ours.map((o, i) => (higherIsBetter ? o / (base[i] as number) : (base[i] as number) / o));
  return {
    suite,
    name,
    median: median(ours),
    spread: [Math.min(...ours), Math.max(...ours)],
    unit,
    baseline,
    baselineMedian: median(base),
    ratio: median(ratios),
    ratioSpread: [Math.min(...ratios), Math.max(...ratios)],
    ...(goal !== "" && { goal }),
  };
}

/**
 * Runs each measurement once per round, rotating which goes first, so none always follows the same
 * other and inherits its garbage to collect or its cooled caches: with a fixed order the figure of
 * the one that runs second carried part of the first one's cost. Returns the samples of each, in
 * the order given.
 */
export async function rotatedRounds(rounds: number, runs: readonly (() => Promise<number>)[]): Promise<number[][]> {
  const samples = runs.map((): number[] => []);
  for (let i = 0; i < rounds; i++) {
    for (let j = 0; j < runs.length; j++) {
      const k = (i + j) % runs.length;
      (samples[k] as number[]).push(await (runs[k] as () => Promise<number>)());
    }
  }
  return samples;
}

/*
 * A process settles on its own JIT state and memory layout, which moved a figure's median by up to
 * 3-4% from one process to the next while the rounds within one agreed far better: figures whose
 * goal is a few percent from their baseline spread their rounds over this many processes and pool
 * them, so no one process decides the figure.
 */
const PROCESSES = 3;

/**
 * Runs a bench script (relative to this folder, under tsx) in each of three fresh processes and
 * returns what each printed, parsed as JSON.
 */
export function inProcesses<T>(script: string, ...args: string[]): T[] {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return Array.from(
    { length: PROCESSES },
    () => JSON.parse(execFileSync(process.execPath, ["--import", "tsx", path, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })) as T,
  );
}
