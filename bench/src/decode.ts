import type { Codec, WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { infoway } from "@ws-errors/core/catalogs/infoway";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { do_not_optimize } from "mitata";
import { median, paired, type Figure } from "./stats";

const STREAM = 10_000;

/** A data frame as each API streams it. */
const DATA: Record<string, (i: number) => unknown> = {
  collective2: (i) => ({ msg_type: "strategy.signal", id: `msg_${i.toString(16).padStart(28, "0")}`, seq_id: 98765 + i, timestamp: "2024-01-01T12:00:00Z", v: 4, payload: { strategy_id: 12345678, symbol: "AAPL", side: "buy", quantity: 100 + (i % 7), price: 150.25 } }),
  tickdb: (i) => ({ cmd: "ticker", data: { symbol: "AAPL.US", last_price: `${150 + (i % 100) / 100}`, timestamp: 1703123456789 + i } }),
  "esca-rates": (i) => ({ type: "rate", pair: "EUR/USD", bid: 1.0842 + i / 1e6, ask: 1.0844 + i / 1e6, ts: 1703123456789 + i }),
  infoway: (i) => ({ code: 200, msg: "ok", trace: `t-${i}`, data: { s: "AAPL.US", p: 150.25, v: 100 + i, t: 1703123456789 + i } }),
};

const CODECS: Record<string, Codec<WsError>> = { collective2, tickdb, "esca-rates": escaRates, infoway } as unknown as Record<string, Codec<WsError>>;

/** 99% data frames, 1% error frames of the catalog's own entries, as the text a socket delivers. */
function stream(name: string, codec: Codec<WsError>): string[] {
  const errors = codec.catalog.errors.filter((e) => e.frame).map((e) => JSON.stringify(codec.encodeFrame(new (codec.classes[e.id] as new (i: object) => WsError)({ requestId: 7, message: e.summary }), { now: () => 0 })));
  const data = DATA[name] as (i: number) => unknown;
  return Array.from({ length: STREAM }, (_, i) => (i % 100 === 99 ? (errors[i % errors.length] as string) : JSON.stringify(data(i))));
}

export async function decodeBenchmarks(): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const [name, codec] of Object.entries(CODECS)) {
    const texts = stream(name, codec);
    const result = await paired(
      () => {
        for (let i = 0; i < texts.length; i++) do_not_optimize(codec.decodeFrame(JSON.parse(texts[i] as string)));
      },
      () => {
        for (let i = 0; i < texts.length; i++) do_not_optimize(JSON.parse(texts[i] as string));
      },
      // A goal 2% from its baseline needs a narrower range than 7 rounds gave on this VM.
      15,
    );
    figures.push({
      suite: "decode",
      name: `${name}: JSON.parse + decodeFrame, 10,000 frames (99% data, 1% errors)`,
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

  const script = fileURLToPath(new URL("./decode-one.ts", import.meta.url));
  const one = JSON.parse(execFileSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8" })) as { one: number[]; mixed: number[]; plain: number; stack: number };
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
