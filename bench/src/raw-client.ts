import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";

/** The peer's stream server (bench/src/peer.ts) in its own process, ready: its URL and the process. */
export async function startStreamServer(messages: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./peer.ts", import.meta.url)), "stream-server", "0", String(messages)], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve) => child.stdout?.once("data", (data: Buffer) => resolve(Number(data.toString().trim()))));
  return { url: `ws://127.0.0.1:${port}/`, child };
}

/**
 * Messages per second a bare `ws` client receives (parsing each as JSON), from its start to its
 * last message: every client here is timed to its last message, so how each handles the close
 * that follows is not part of the figure.
 */
export function rawThroughput(url: string, messages = STREAM_MESSAGES): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    const t0 = performance.now();
    const ws = new WebSocket(url);
    ws.on("message", (data) => {
      JSON.parse(data.toString());
      if (++count === messages) resolve((messages * 1000) / (performance.now() - t0));
    });
    ws.on("close", () => resolve((count * 1000) / (performance.now() - t0)));
  });
}

/** How many signals the stream server sends each connection in the throughput suites. */
export const STREAM_MESSAGES = 100_000;
