import type { Codec, WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { wsErrorsConnection, type WebSocketLike } from "@ws-errors/rxjs";
import { webSocket } from "rxjs/webSocket";
import { WebSocket } from "ws";
import { rawThroughput, startStreamServer } from "./raw-client";
import { pairedFigure, type Figure } from "./stats";

const N = 100_000;
// The goal is 3% from the raw baseline, and single rounds range ±13% on this VM: many rounds.
const ROUNDS = 41;

/** Messages per second through `messages$`, against a raw `ws` client and `rxjs/webSocket`, from one streaming server. */
export async function rxjsBenchmarks(): Promise<Figure[]> {
  const { url, child: server } = await startStreamServer(N);
  const raw = () => rawThroughput(url);
  const ours = () =>
    new Promise<number>((resolve) => {
      let count = 0;
      const t0 = performance.now();
      const connection = wsErrorsConnection(url, { codec: collective2, reconnect: false, createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike });
      const done = () => resolve((count * 1000) / (performance.now() - t0));
      connection.messages$.subscribe({ next: () => void (++count === N && done()), complete: done, error: done });
    });
  const rxjsWebSocket = () =>
    new Promise<number>((resolve) => {
      let count = 0;
      const t0 = performance.now();
      const done = () => resolve((count * 1000) / (performance.now() - t0));
      webSocket({ url, WebSocketCtor: WebSocket as unknown as typeof globalThis.WebSocket }).subscribe({ next: () => void (++count === N && done()), complete: done, error: done });
    });
  await raw();
  await ours();
  await rxjsWebSocket();
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    b.push(await raw());
    a.push(await ours());
    c.push(await rxjsWebSocket());
  }
  server.kill();
  const figure = (name: string, values: number[], base: number[], baseline: string, goal: string): Figure => pairedFigure("rxjs", name, values, base, baseline, goal, "msg/s");
  return [
    figure("`messages$` throughput, 100,000 Collective2 signals (decoded, sequence-tracked)", a, b, "raw `ws` client doing JSON.parse", "≥ 0.97×"),
    figure("`rxjs/webSocket` throughput, same stream (for comparison)", c, b, "raw `ws` client doing JSON.parse", ""),
    figure("`messages$` throughput against `rxjs/webSocket`", a, c, "`rxjs/webSocket` on the same stream", "≥ 1.0×"),
  ];
}
