import type { Codec, WsError } from "@ws-errors/core";
import { do_not_optimize } from "mitata";
import { paired } from "./stats";

/*
 * One catalog's stream figure, in a process of its own (decode.ts runs several per catalog), as an
 * application decodes one API: in a shared process the shared decoding call sites had seen the
 * catalogs measured before, and the later a catalog ran the more it paid for that (infoway, last,
 * read up to 1.027×).
 */
const STREAM = 10_000;
/* A goal 2% from its baseline needs a narrow range: many short rounds (0.1 s of CPU each side),
   so the drift of this VM's speed over a round is small and cancels between neighbours. How many:
   decode.ts's choice, as it spreads them over several processes. */
const ROUNDS = Number(process.argv[3] ?? 21);
const CPU = 100e6;

/** A data frame as each API streams it. */
const DATA: Record<string, (i: number) => unknown> = {
  collective2: (i) => ({
    msg_type: "strategy.signal",
    id: `msg_${i.toString(16).padStart(28, "0")}`,
    seq_id: 98765 + i,
    timestamp: "2024-01-01T12:00:00Z",
    v: 4,
    payload: { strategy_id: 12345678, symbol: "AAPL", side: "buy", quantity: 100 + (i % 7), price: 150.25 },
  }),
  tickdb: (i) => ({ cmd: "ticker", data: { symbol: "AAPL.US", last_price: `${150 + (i % 100) / 100}`, timestamp: 1703123456789 + i } }),
  "esca-rates": (i) => ({ type: "rate", pair: "EUR/USD", bid: 1.0842 + i / 1e6, ask: 1.0844 + i / 1e6, ts: 1703123456789 + i }),
  infoway: (i) => ({ code: 200, msg: "ok", trace: `t-${i}`, data: { s: "AAPL.US", p: 150.25, v: 100 + i, t: 1703123456789 + i } }),
};

/** 99% data frames, 1% error frames of the catalog's own entries, as the text a socket delivers. */
function stream(name: string, codec: Codec<WsError>): string[] {
  const errors = codec.catalog.errors
    .filter((e) => e.frame)
    .map((e) =>
      JSON.stringify(codec.encodeFrame(new (codec.classes[e.id] as new (i: object) => WsError)({ requestId: 7, message: e.summary }), { now: () => 0 })),
    );
  const data = DATA[name] as (i: number) => unknown;
  return Array.from({ length: STREAM }, (_, i) => (i % 100 === 99 ? (errors[i % errors.length] as string) : JSON.stringify(data(i))));
}

const name = process.argv[2] as string;
const codec = (await import(`@ws-errors/core/catalogs/${name}`))[name.replace(/-(\w)/g, (_: string, c: string) => c.toUpperCase())] as Codec<WsError>;
const texts = stream(name, codec);
const result = await paired(
  () => {
    for (let i = 0; i < texts.length; i++) do_not_optimize(codec.decodeFrame(JSON.parse(texts[i] as string)));
  },
  () => {
    for (let i = 0; i < texts.length; i++) do_not_optimize(JSON.parse(texts[i] as string));
  },
  ROUNDS,
  CPU,
);
process.stdout.write(JSON.stringify({ ...result.rounds, ratios: result.ratios, frames: STREAM }));
