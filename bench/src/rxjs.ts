import { pooledReceiveRounds, STREAM_MESSAGES } from "./raw-client";
import { pairedFigure, type Figure } from "./stats";

const N = STREAM_MESSAGES;
// The goal is 3% from the raw baseline, and single rounds range ±13% on this VM: many rounds, in
// three processes (24 each since session 8: with 14 the median moved by up to ±1% between full
// runs, as much as the margin the goal leaves).
const ROUNDS_PER_PROCESS = 24;

/** Messages per second through `messages$`, against a raw `ws` client and `rxjs/webSocket`, from one streaming server. */
export async function rxjsBenchmarks(): Promise<Figure[]> {
  const [a, b, c] = pooledReceiveRounds("rxjs", ROUNDS_PER_PROCESS) as [number[], number[], number[]];
  const figure = (name: string, values: number[], base: number[], baseline: string, goal: string): Figure =>
    pairedFigure("rxjs", name, values, base, baseline, goal, "msg/s");
  return [
    figure(
      `\`messages$\` throughput, ${N.toLocaleString("en-US")} Collective2 signals (decoded, sequence-tracked)`,
      a,
      b,
      "raw `ws` client doing JSON.parse",
      "≥ 0.97×",
    ),
    figure("`rxjs/webSocket` throughput, same stream (for comparison)", c, b, "raw `ws` client doing JSON.parse", ""),
    figure("`messages$` throughput against `rxjs/webSocket`", a, c, "`rxjs/webSocket` on the same stream", "≥ 1.0×"),
  ];
}
