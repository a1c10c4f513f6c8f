import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect as tcp } from "node:net";
import type { Codec, WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { infoway } from "@ws-errors/core/catalogs/infoway";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { tickdbLegacy } from "@ws-errors/core/catalogs/tickdb-legacy";
import { WsErrorServer } from "@ws-errors/node";
import { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { report } from "./figures";

const FRAMES = 1_000_000;
const CODECS = { collective2, "esca-rates": escaRates, infoway, tickdb, "tickdb-legacy": tickdbLegacy } as unknown as Record<string, Codec<WsError>>;

/** A small fast PRNG, seeded, so a failing frame can be reproduced from the seed and index. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s + 0x6d2b79f5) >>> 0), (((s ^ (s >>> 15)) * (1 | s)) >>> 0) / 2 ** 32);
}

const NASTY: unknown[] = [
  null,
  true,
  0,
  -0,
  1e308,
  -1,
  2 ** 53 + 1,
  "",
  "__proto__",
  "constructor",
  "\u0000",
  "é😀",
  [],
  {},
  [[[]]],
  { __proto__: { x: 1 } },
  "x".repeat(5000),
];

/** Mutates a seed frame: replaces, deletes, retypes or nests values, swaps keys, adds __proto__. */
function mutate(value: unknown, random: () => number, depth = 0): unknown {
  const r = random();
  if (depth > 6 || r < 0.08) return NASTY[Math.floor(random() * NASTY.length)];
  if (Array.isArray(value)) return value.map((v) => mutate(v, random, depth + 1));
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const roll = random();
      if (roll < 0.1) continue; // drop a key
      const key = roll < 0.15 ? ["__proto__", "constructor", "prototype", `${k}x`][Math.floor(random() * 4)]! : k;
      Object.defineProperty(out, key, { value: roll < 0.5 ? mutate(v, random, depth + 1) : v, enumerable: true, writable: true, configurable: true });
    }
    if (random() < 0.05) out.payload = { errors: [mutate(value, random, depth + 1)] };
    return out;
  }
  if (typeof value === "string" && r < 0.3) return value.slice(0, Math.floor(random() * value.length)) + String.fromCharCode(Math.floor(random() * 0xffff));
  if (typeof value === "number" && r < 0.3) return [value + 1, String(value), -value, Number.NaN][Math.floor(random() * 4)];
  return value;
}

/** Text-level damage: truncation, a flipped byte, or garbage. */
function damage(text: string, random: () => number): string {
  const r = random();
  if (r < 0.3) return text.slice(0, Math.floor(random() * text.length));
  if (r < 0.6) {
    const i = Math.floor(random() * text.length);
    return text.slice(0, i) + String.fromCharCode(Math.floor(random() * 256)) + text.slice(i + 1);
  }
  return Array.from({ length: Math.floor(random() * 64) }, () => String.fromCharCode(Math.floor(random() * 256))).join("");
}

describe("fuzz", () => {
  it.each(Object.entries(CODECS))(
    `%s: ${FRAMES.toLocaleString("en-US")} generated and mutated frames through decode, none throws, Object.prototype untouched`,
    (name, codec) => {
      const random = rng(name.length * 7919);
      const seeds = codec.catalog.errors
        .filter((e) => e.frame)
        .map((e) => codec.encodeFrame(new codec.classes[e.id]!({ requestId: 1, field: "f" }), { now: () => 0 }));
      seeds.push(
        { msg_type: "strategy.signal", seq_id: 1, payload: {} },
        { cmd: "ticker", data: { symbol: "AAPL.US" } },
        { code: 0, message: "success" },
        { success: true, req_id: 1 },
      );
      const before = Object.getOwnPropertyNames(Object.prototype).join();
      let errors = 0;
      const started = performance.now();
      for (let i = 0; i < FRAMES; i++) {
        const seed = seeds[i % seeds.length];
        const frame = mutate(seed, random);
        const input = i % 4 === 0 ? damage(JSON.stringify(frame) ?? "", random) : i % 4 === 1 ? JSON.stringify(frame) : frame;
        errors += codec.decodeFrameErrors(input).length;
      }
      const seconds = (performance.now() - started) / 1000;
      report(`fuzz ${name}`, { frames: FRAMES, decodedErrors: errors, seconds: seconds.toFixed(1) });
      expect(Object.getOwnPropertyNames(Object.prototype).join()).toBe(before);
      expect(({} as Record<string, unknown>).x).toBeUndefined();
      expect(errors).toBeGreaterThan(FRAMES / 20); // the mutations keep plenty of frames recognizable
    },
    120_000,
  );

  it("the server keeps serving through random bytes, binary frames, oversized frames and TCP garbage", async () => {
    const http = createServer();
    const server = new WsErrorServer({
      codec: CODECS.tickdb!,
      server: http,
      maxPayload: 64 * 1024,
      onMessage: (m) => ({ cmd: m.command, code: 0 }),
      logger: { error: () => undefined, warn: () => undefined },
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const port = (http.address() as AddressInfo).port;
    const random = rng(7);
    const closeCodes = new Map<number, number>();
    const closed = (ws: WebSocket) => new Promise<number>((r) => ws.once("close", (code) => (closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1), r(code))));
    let closesOversized = 0;
    for (let round = 0; round < 20; round++) {
      // Random bytes as binary and as text frames: invalid UTF-8 in a text frame ends the
      // connection with 1007 (ws's protocol check), anything else is answered and survived.
      const noisy = new WebSocket(`ws://127.0.0.1:${port}/`);
      noisy.on("error", () => undefined);
      await new Promise((r) => noisy.once("open", r));
      const noisyClosed = closed(noisy);
      for (let i = 0; i < 200 && noisy.readyState === noisy.OPEN; i++) {
        const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 512) }, () => Math.floor(random() * 256)));
        noisy.send(random() < 0.5 ? bytes : bytes.toString("latin1"), { binary: random() < 0.5 });
      }
      noisy.close();
      await noisyClosed;
      const big = new WebSocket(`ws://127.0.0.1:${port}/`);
      big.on("error", () => undefined);
      await new Promise((r) => big.once("open", r));
      const bigClosed = closed(big);
      big.send("x".repeat(128 * 1024));
      closesOversized += (await bigClosed) === 1009 ? 1 : 0;
      const garbage = tcp(port, "127.0.0.1");
      garbage.on("error", () => undefined);
      garbage.end(Buffer.from(Array.from({ length: 300 }, () => Math.floor(random() * 256))));
    }
    const ok = new WebSocket(`ws://127.0.0.1:${port}/`);
    await new Promise((r) => ok.once("open", r));
    const reply = await new Promise<string>((resolve) => {
      ok.once("message", (d) => resolve(d.toString()));
      ok.send(JSON.stringify({ cmd: "ping" }));
    });
    report("fuzz server", {
      connections: 40,
      randomFramesUpTo: 4000,
      closeCodes: JSON.stringify(Object.fromEntries(closeCodes)),
      oversizedClosedWith1009: closesOversized,
      tcpGarbageConnections: 20,
    });
    expect(JSON.parse(reply)).toEqual({ cmd: "ping", code: 0 });
    expect(closesOversized).toBe(20);
    ok.close();
    await server.close();
    http.closeAllConnections();
    http.close();
  }, 60_000);
});
