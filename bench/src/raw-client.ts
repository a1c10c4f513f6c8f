import { WebSocket } from "ws";

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
