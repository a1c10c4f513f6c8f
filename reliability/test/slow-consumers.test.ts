import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { slowConsumer, WsErrorServer, type ServerConnection } from "@ws-errors/node";
import { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { report } from "./figures";

const LIMIT = 2 * 1024 * 1024;
const PAYLOAD = JSON.stringify({ msg_type: "strategy.signal", payload: { blob: "x".repeat(16 * 1024) } });

describe.each([
  ["collective2", collective2, { code: 1000, reason: "Ping timeout" }],
  ["esca-rates", escaRates, { code: 4008, reason: "rate_limited" }],
] as const)("slow consumers (%s)", (name, codec, expectedClose) => {
  it("evicts clients that stop reading, as the catalog says, with memory bounded while it waits", async () => {
    const http = createServer();
    const server = new WsErrorServer({ codec: codec, server: http, policies: [slowConsumer({ maxStallMs: 300, checkEveryMs: 100, maxQueuedBytes: LIMIT })] });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    // Ten clients stop reading at the TCP level; one keeps reading.
    const slow = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<WebSocket>((r) => {
            const ws = new WebSocket(url);
            ws.on("error", () => undefined);
            ws.once("open", () => r(ws));
          }),
      ),
    );
    for (const ws of slow) (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const reader = new WebSocket(url);
    let read = 0;
    reader.on("message", () => read++);
    await new Promise((r) => reader.once("open", r));
    // The server learns the close the catalog prescribes; the paused clients never read it.
    const evicted = new Promise<void>((resolve) => {
      let n = 0;
      const watch = (c: ServerConnection) => c.socket.once("close", () => ++n === 10 && resolve());
      // The first ten connections are the paused ones; the reader connected after them.
      [...server.connections].slice(0, 10).forEach(watch);
    });
    const rssBefore = process.memoryUsage().rss;
    let peakQueued = 0;
    let peakRss = 0;
    const pump = setInterval(() => {
      for (const c of server.connections) {
        for (let i = 0; i < 8; i++) void c.send(PAYLOAD);
        peakQueued = Math.max(peakQueued, c.queued);
      }
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 5);
    const started = performance.now();
    await evicted;
    const seconds = (performance.now() - started) / 1000;
    clearInterval(pump);
    // The close each evicted client would read, as the server sent it.
    const sent = codec.encodeClose(new (codec.catalog.errors.map((e) => codec.classes[e.id]!).find((C) => new C().kind === "slow-consumer")!)());
    report(`slow consumers ${name}`, {
      slowClients: 10,
      evictedWithin: `${seconds.toFixed(2)} s`,
      peakQueuedPerConnection: peakQueued,
      limit: LIMIT,
      rssGrowthMB: ((peakRss - rssBefore) / 2 ** 20).toFixed(1),
      readerMessages: read,
    });
    expect(sent).toEqual(expectedClose);
    expect(peakQueued).toBeLessThanOrEqual(LIMIT + PAYLOAD.length * 8 + 16);
    expect(peakRss - rssBefore).toBeLessThan(200 * 2 ** 20);
    expect(reader.readyState).toBe(reader.OPEN);
    expect(read).toBeGreaterThan(0);
    reader.close();
    for (const ws of slow) ws.terminate();
    await server.close();
    http.closeAllConnections();
    http.close();
  }, 30_000);
});
