import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { inProcesses, median, type Figure } from "./stats";

/** The bundled catalogs whose streams are measured, each in processes of its own (decode-stream.ts). */
const CATALOGS = ["collective2", "tickdb", "esca-rates", "infoway"];
const ROUNDS_PER_PROCESS = 21;

interface Rounds {
  readonly candidate: number[];
  readonly baseline: number[];
  readonly ratios: number[];
  readonly frames: number;
}

/** One catalog's rounds from each of three processes, pooled (see `inProcesses`). */
function pooled(name: string): Rounds {
  const all = inProcesses<Rounds>("./decode-stream.ts", name, String(ROUNDS_PER_PROCESS));
  return {
    candidate: all.flatMap((r) => r.candidate),
    baseline: all.flatMap((r) => r.baseline),
    ratios: all.flatMap((r) => r.ratios),
    frames: (all[0] as Rounds).frames,
  };
}

export async function decodeBenchmarks(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const name of CATALOGS) {
    const result = pooled(name);
    const STREAM = result.frames;
    figures.push({
      suite: "decode",
      name: `${name}: JSON.parse + decodeFrame, ${STREAM.toLocaleString("en-US")} frames (99% data, 1% errors)`,
      median: median(result.candidate) / STREAM,
      spread: [Math.min(...result.candidate) / STREAM, Math.max(...result.candidate) / STREAM],
      unit: "ns",
      baseline: "JSON.parse alone",
      baselineMedian: median(result.baseline) / STREAM,
      ratio: median(result.ratios),
      ratioSpread: [Math.min(...result.ratios), Math.max(...result.ratios)],
      goal: "≤ 1.02×",
    });
  }

  const one = JSON.parse(
    execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./decode-one.ts", import.meta.url))], { encoding: "utf8" }),
  ) as { one: number[]; mixed: number[]; plain: number; stack: number };
  // The ratio is to a hand-made typed error (`class extends Error`, its stack captured): what an
  // application builds without the catalog. An object literal, the cheapest thing there is, is
  // named too, but a ratio to it moved from 3× to 23× between runs (a few ns, at the timer's grain).
  const baseline = `an Error subclass built with its stack (${one.stack.toFixed(0)} ns); a plain object literal: ${one.plain.toFixed(1)} ns`;
  for (const [label, [p50, p25, p75]] of [
    ["build one decoded error, same entry each time (decodeFrame of a parsed frame: classify, read, look up, instantiate)", one.one],
    ["build one decoded error, cycling through all 9 frame entries of the catalog", one.mixed],
  ] as const) {
    figures.push({
      suite: "decode",
      name: label,
      median: p50 as number,
      spread: [p25 as number, p75 as number],
      unit: "ns",
      baseline,
      baselineMedian: one.stack,
      ratio: (p50 as number) / one.stack,
      ratioSpread: [(p25 as number) / one.stack, (p75 as number) / one.stack],
      goal: "≤ 100 ns",
    });
  }
  return figures;
}
