import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { connect, WsErrorServer, type ServerConnection } from "@ws-errors/node";
import { describe, expect, it } from "vitest";
import { report } from "./figures";

const TOTAL = 100_000;
const MIN_DROPS = 50;

/**
 * A server that streams TOTAL sequenced signals to each subscriber, from the `resume_from` it asks
 * for, as fast as backpressure allows, and drops connections at random points: mid-stream, after a
 * random number of messages, and during a replay right after a resubscribe.
 */
async function chaosServer(seed: number) {
  let random = seed;
  const next = () => (random = (random * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const http = createServer();
  let drops = 0;
  const frame = (seq: number) => `{"msg_type":"strategy.signal","seq_id":${seq},"v":4,"payload":{"strategy_id":12345678,"price":${seq % 997}}}`;
  const server = new WsErrorServer({
    codec: collective2,
    server: http,
    commands: {
      "subscription.request": (message, connection) => {
        const from = Number((message.data as { payload?: { resume_from?: string } }).payload?.resume_from ?? 0);
        stream(connection, from + 1, message.requestId);
        return undefined;
      },
    },
  });
  function stream(connection: ServerConnection, start: number, requestId: string | number | undefined): void {
    void connection.send({ msg_type: "subscription.ack", request_id: requestId, payload: {} });
    // Drop after 500-3500 messages; one drop in four lands in the first 20 messages of a replay.
    const dropAfter = next() < 0.25 ? Math.floor(next() * 20) : 500 + Math.floor(next() * 3000);
    let seq = start;
    let sent = 0;
    const pump = () => {
      if (!connection.isOpen) return;
      while (seq <= TOTAL && connection.socket.bufferedAmount < 1 << 18) {
        if (sent++ === dropAfter && drops < 400) {
          drops++;
          connection.socket.terminate();
          return;
        }
        void connection.send(frame(seq++));
      }
      if (seq <= TOTAL) setImmediate(pump);
    };
    pump();
  }
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    drops: () => drops,
    async close() {
      await server.close();
      http.closeAllConnections();
      http.close();
    },
  };
}

describe("chaos: resume through dropped connections", () => {
  it(`delivers ${TOTAL.toLocaleString("en-US")} sequenced messages exactly once and in order through at least ${MIN_DROPS} disconnects`, async () => {
    const server = await chaosServer(42);
    const subscribe = (from: number) => ({
      msg_type: "subscription.request",
      payload: { action: "subscribe", channel: "strategy.signal", strategy_id: 12345678, resume_from: String(from) },
    });
    const started = performance.now();
    const client = connect(server.url, {
      codec: collective2,
      reconnect: { initialMs: 1, maxMs: 10, minUptimeMs: 50 },
      resume: (seq, c) => c.send(subscribe(Number(seq ?? 0))),
    });
    let expected = 1;
    let outOfOrder = 0;
    client.on("message", (m: { msg_type: string; seq_id?: number }) => {
      if (m.msg_type !== "strategy.signal") return;
      if (m.seq_id !== expected) outOfOrder++;
      expected = (m.seq_id as number) + 1;
    });
    client.once("open", () => client.send(subscribe(0)));
    const deadline = Date.now() + 60_000;
    while (expected <= TOTAL && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const seconds = (performance.now() - started) / 1000;
    client.close();
    await server.close();
    report("chaos", {
      messages: TOTAL,
      disconnects: server.drops(),
      outOfOrderOrDuplicate: outOfOrder,
      seconds: seconds.toFixed(1),
      messagesPerSecond: Math.round(TOTAL / seconds),
    });
    expect(expected).toBe(TOTAL + 1);
    expect(outOfOrder).toBe(0);
    expect(server.drops()).toBeGreaterThanOrEqual(MIN_DROPS);
  }, 90_000);
});
