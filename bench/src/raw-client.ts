import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";

/** The peer's stream server (bench/src/peer.ts) in its own process, ready: its URL and the process. */
export async function startStreamServer(messages: number): Promise<{ url: string; child: ChildProcess }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./peer.ts", import.meta.url)), "stream-server", String(port), String(messages)], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => child.stdout?.once("data", () => resolve()));
  return { url: `ws://127.0.0.1:${port}/`, child };
}

/** Messages per second a bare `ws` client receives (parsing each as JSON) until the server closes. */
export function rawThroughput(url: string): Promise<number> {
  return new Promise((resolve) => {
    let count = 0;
    const t0 = performance.now();
    const ws = new WebSocket(url);
    ws.on("message", (data) => {
      JSON.parse(data.toString());
      count++;
    });
    ws.on("close", () => resolve((count * 1000) / (performance.now() - t0)));
  });
}
