/*
 * The server side of the memory benchmark, alone in its process (started with --expose-gc):
 * `raw` is a bare `ws` server, `ours` a WsErrorServer with every policy on. It prints its port, then
 * answers "measure" on stdin with its heap (after two full collections) as one JSON line.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { apiKey, attemptRate, connectionCap, heartbeat, memoryState, messageRate, recheck, revocation, slowConsumer, WsErrorServer } from "@ws-errors/node";
import { WebSocketServer } from "ws";

const kind = process.argv[2];
const require = createRequire(import.meta.url);
const http = createServer((_req, res) => res.writeHead(426).end());
if (kind === "raw") {
  const wss = new WebSocketServer({ server: http });
  wss.on("connection", (ws) => ws.on("message", (data) => ws.send(data)));
} else {
  new WsErrorServer({
    codec: collective2,
    server: http,
    state: memoryState(),
    policies:
      kind === "ours-bare"
        ? []
        : [
            apiKey({ from: { query: "key" }, verify: (key) => key === "good" }),
            attemptRate({ limit: 1_000_000, windowMs: 60_000 }),
            connectionCap({ perKey: 1_000_000 }),
            messageRate({ limit: 100, windowMs: 1_000 }),
            heartbeat({ intervalMs: 30_000, timeoutMs: 10_000 }),
            slowConsumer({ maxStallMs: 30_000, checkEveryMs: 5_000 }),
            recheck({ everyMs: 60_000, verify: () => true }),
            revocation(),
          ],
    onMessage: (message) => message.data,
    logger: { error: () => undefined, warn: () => undefined },
  });
}
http.listen(0, "127.0.0.1", () => process.stdout.write(`${(http.address() as AddressInfo).port}\n`));

const gc = (globalThis as { gc?: () => void }).gc;
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.startsWith("snapshot ")) {
    gc?.();
    require("node:v8").writeHeapSnapshot(line.slice(9));
    return void process.stdout.write("done\n");
  }
  if (line !== "measure") return;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ heap: m.heapUsed + m.external, rss: m.rss })}\n`);
});
