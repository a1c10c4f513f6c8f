import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median, type Figure } from "./stats";

/** The bundled catalogs whose streams are measured, each in a process of its own (decode-stream.ts). */
const CATALOGS = ["collective2", "tickdb", "esca-rates", "infoway"];

function run(script: string, ...args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), ...args], { encoding: "utf8" }));
}

export async function decodeBenchmarks(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const name of CATALOGS) {
    const result = run("./decode-stream.ts", name) as { candidate: number; baseline: number; ratios: number[]; spread: [number, number]; frames: number };
    const STREAM = result.frames;
    figures.push({
      suite: "decode",
      name: `${name}: JSON.parse + decodeFrame, ${STREAM.toLocaleString("en-US")} frames (99% data, 1% errors)`,
      median: result.candidate / STREAM,
      spread: [result.spread[0] / STREAM, result.spread[1] / STREAM],
      unit: "ns",
      baseline: "JSON.parse alone",
      baselineMedian: result.baseline / STREAM,
      ratio: median(result.ratios),
      ratioSpread: [Math.min(...result.ratios), Math.max(...result.ratios)],
      goal: "≤ 1.02×",
    });
  }

  const one = run("./decode-one.ts") as { one: number[]; mixed: number[]; plain: number; stack: number };
  const baseline = `a plain object literal (${one.plain.toFixed(1)} ns); an Error subclass with its stack: ${one.stack.toFixed(0)} ns`;
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
      baselineMedian: one.plain,
      ratio: (p50 as number) / one.plain,
      ratioSpread: [(p25 as number) / one.plain, (p75 as number) / one.plain],
      goal: "≤ 100 ns",
    });
  }
  return figures;
}
