import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { median, type Figure } from "./stats";

/** The bundled catalogs whose streams are measured, each in processes of its own (decode-stream.ts). */
const CATALOGS = ["collective2", "tickdb", "esca-rates", "infoway"];
/* Each process settles on its own JIT and memory layout, which moved one catalog's median by up to
   3% from one process to the next while rounds within a process agreed to 0.3%: the rounds are
   spread over three processes and pooled, so no one process decides the figure. */
const PROCESSES = 3;
const ROUNDS_PER_PROCESS = 21;

interface Rounds {
  readonly candidates: number[];
  readonly baselines: number[];
  readonly ratios: number[];
  readonly frames: number;
}

/** One catalog's rounds from every process, pooled. */
function pooled(name: string): Rounds {
  const out: Rounds = { candidates: [], baselines: [], ratios: [], frames: 0 };
  for (let i = 0; i < PROCESSES; i++) {
    const one = run("./decode-stream.ts", name, String(ROUNDS_PER_PROCESS)) as { rounds: { candidate: number[]; baseline: number[]; ratios: number[] }; frames: number };
    out.candidates.push(...one.rounds.candidate);
    out.baselines.push(...one.rounds.baseline);
    out.ratios.push(...one.rounds.ratios);
    Object.assign(out, { frames: one.frames });
  }
  return out;
}

function run(script: string, ...args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), ...args], { encoding: "utf8" }));
}

export async function decodeBenchmarks(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const name of CATALOGS) {
    const result = pooled(name);
    const STREAM = result.frames;
    figures.push({
      suite: "decode",
      name: `${name}: JSON.parse + decodeFrame, ${STREAM.toLocaleString("en-US")} frames (99% data, 1% errors)`,
      median: median(result.candidates) / STREAM,
      spread: [Math.min(...result.candidates) / STREAM, Math.max(...result.candidates) / STREAM],
      unit: "ns",
      baseline: "JSON.parse alone",
      baselineMedian: median(result.baselines) / STREAM,
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
