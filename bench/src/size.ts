import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import type { Figure } from "./stats";

const GOALS: Record<string, string> = {
  "@ws-errors/core + one catalog (full codec)": "≤ 5 KB (budget in CI: .size-limit.cjs)",
  "@ws-errors/core + one catalog's decoder": "≤ 5 KB (budget in CI: .size-limit.cjs)",
  "@ws-errors/rxjs + one catalog's decoder, beyond rxjs": "≤ 8 KB (budget in CI: .size-limit.cjs)",
};

/** The browser bundle sizes size-limit measures (bench/.size-limit.cjs), against rxjs/webSocket. */
export function sizeBenchmarks(): Figure[] {
  const bin = resolve(dirname(createRequire(import.meta.url).resolve("size-limit/package.json")), "bin.js");
  const rows = JSON.parse(execFileSync(process.execPath, [bin, "--json"], { cwd: resolve(import.meta.dirname, ".."), encoding: "utf8" })) as { name: string; size: number }[];
  const base = rows.find((r) => r.name.startsWith("rxjs/webSocket"))?.size ?? Number.NaN;
  return rows.map((row) => ({
    suite: "size",
    name: `${row.name}: esbuild bundle, minified, gzipped`,
    median: row.size,
    spread: [row.size, row.size],
    unit: "B",
    baseline: "`rxjs/webSocket` alone",
    baselineMedian: base,
    ratio: row.size / base,
    ratioSpread: [row.size / base, row.size / base],
    ...(GOALS[row.name] !== undefined && { goal: GOALS[row.name] }),
  }));
}
