import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { inProcesses } from "./stats";

/** The peer's stream server (bench/src/peer.ts) in its own process, ready: its URL and the process. */
export async function startStreamServer(messages: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./peer.ts", import.meta.url)), "stream-server", "0", String(messages)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve) => child.stdout?.once("data", (data: Buffer) => resolve(Number(data.toString().trim()))));
  return { url: `ws://127.0.0.1:${port}/`, child };
}

/**
 * Times a stream as a client reads it, from its first message to its last: the figure is the
 * client's receive rate alone, without the connection's set-up (the handshake, a session's
 * construction), which a round of 100,000 messages on loopback would otherwise carry as ~1% of its
 * time, differently for each client. `message()` per message; `end()` when the stream ends early.
 */
export function streamTimer(messages: number, done: (rate: number) => void): { message(): void; end(): void } {
  let count = 0;
  let first = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    done(count < 2 ? 0 : ((count - 1) * 1000) / (performance.now() - first));
  };
  return {
    message() {
      if (++count === 1) first = performance.now();
      else if (count === messages) finish();
    },
    end: finish,
  };
}

/** Messages per second a bare `ws` client receives (parsing each as JSON), timed by {@link streamTimer}. */
export function rawThroughput(url: string, messages = STREAM_MESSAGES): Promise<number> {
  return new Promise((resolve) => {
    const timer = streamTimer(messages, resolve);
    const ws = new WebSocket(url);
    ws.on("message", (data) => {
      JSON.parse(data.toString());
      timer.message();
    });
    ws.on("close", timer.end);
  });
}

/** How many signals the stream server sends each connection in the throughput suites. */
export const STREAM_MESSAGES = 100_000;

/**
 * Per-round throughput of each client of a receive figure (`node`: ours, raw; `rxjs`: ours, raw,
 * `rxjs/webSocket`), from `roundsPerProcess` rounds in each of three processes (bench/src/receive.ts),
 * pooled (see `inProcesses`).
 */
export function pooledReceiveRounds(which: "node" | "rxjs", roundsPerProcess: number): number[][] {
  const pooled: number[][] = [];
  for (const samples of inProcesses<number[][]>("./receive.ts", which, String(roundsPerProcess)))
    samples.forEach((values, k) => (pooled[k] ??= []).push(...values));
  return pooled;
}
