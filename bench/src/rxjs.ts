import type { Codec, WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { wsErrorsConnection, type WebSocketLike } from "@ws-errors/rxjs";
import { webSocket } from "rxjs/webSocket";
import { WebSocket } from "ws";
import { rawThroughput, startStreamServer, STREAM_MESSAGES, streamTimer } from "./raw-client";
import { pairedFigure, rotatedRounds, type Figure } from "./stats";

const N = STREAM_MESSAGES;
// The goal is 3% from the raw baseline, and single rounds range ±13% on this VM: many rounds.
const ROUNDS = 41;

/** Messages per second through `messages$`, against a raw `ws` client and `rxjs/webSocket`, from one streaming server. */
export async function rxjsBenchmarks(): Promise<Figure[]> {
  const { url, child: server } = await startStreamServer(N);
  const raw = () => rawThroughput(url);
  const ours = () =>
    new Promise<number>((resolve) => {
      const timer = streamTimer(N, resolve);
      const connection = wsErrorsConnection(url, { codec: collective2, reconnect: false, createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike });
      connection.messages$.subscribe({ next: timer.message, complete: timer.end, error: timer.end });
    });
  const rxjsWebSocket = () =>
    new Promise<number>((resolve) => {
      const timer = streamTimer(N, resolve);
      webSocket({ url, WebSocketCtor: WebSocket as unknown as typeof globalThis.WebSocket }).subscribe({ next: timer.message, complete: timer.end, error: timer.end });
    });
  await raw();
  await ours();
  await rxjsWebSocket();
  const [a, b, c] = (await rotatedRounds(ROUNDS, [ours, raw, rxjsWebSocket])) as [number[], number[], number[]];
  server.kill();
  const figure = (name: string, values: number[], base: number[], baseline: string, goal: string): Figure => pairedFigure("rxjs", name, values, base, baseline, goal, "msg/s");
  return [
    figure(`\`messages$\` throughput, ${N.toLocaleString("en-US")} Collective2 signals (decoded, sequence-tracked)`, a, b, "raw `ws` client doing JSON.parse", "≥ 0.97×"),
    figure("`rxjs/webSocket` throughput, same stream (for comparison)", c, b, "raw `ws` client doing JSON.parse", ""),
    figure("`messages$` throughput against `rxjs/webSocket`", a, c, "`rxjs/webSocket` on the same stream", "≥ 1.0×"),
  ];
}
