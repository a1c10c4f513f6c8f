import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median, type Figure } from "./stats";
import { syntheticCatalog } from "./synthetic";

const BIN = resolve(import.meta.dirname, "../../codegen/bin/ws-errors.js");
const RUNS = 7;

function wallMs(args: string[]): number {
  const started = performance.now();
  execFileSync(process.execPath, args, { stdio: "ignore" });
  return performance.now() - started;
}

/** `ws-errors generate` as a user runs it (process start included), against a bare `node` start. */
export function generateBenchmarks(): Figure[] {
  const dir = mkdtempSync(join(tmpdir(), "ws-errors-bench-"));
  const figures: Figure[] = [];
  try {
    const goals: Record<number, string> = { 1000: "≤ 1.0 s", 5000: "≤ 2.5 s" };
    for (const size of [100, 1000, 5000]) {
      const file = join(dir, `synthetic-${size}.yaml`);
      writeFileSync(file, syntheticCatalog(size));
      wallMs([BIN, "generate", "--catalog", file, "--out", join(dir, "warm")]); // fills the compile cache
      const times: number[] = [];
      const starts: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        starts.push(wallMs(["-e", "0"]));
        times.push(wallMs([BIN, "generate", "--catalog", file, "--out", join(dir, `out-${size}-${i}`)]));
      }
      const m = median(times);
      figures.push({
        suite: "generate",
        name: `ws-errors generate, ${size} errors (wall time, process start included)`,
        median: m,
        spread: [Math.min(...times), Math.max(...times)],
        unit: "ms",
        baseline: "node -e 0 (bare process start)",
        baselineMedian: median(starts),
        ratio: m / median(starts),
        ratioSpread: [Math.min(...times) / median(starts), Math.max(...times) / median(starts)],
        ...(goals[size] !== undefined && { goal: goals[size] }),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
