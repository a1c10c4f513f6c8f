import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import type { Codec, WsError } from "@ws-errors/core";
import { apiKey, connectionCap, WsErrorServer } from "@ws-errors/node";
import { type DataPoint, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { Redis } from "ioredis";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisState, StateTimeoutError } from "../src/index";
import { redisServerAvailable, startRedisServer, type RedisServer } from "../src/testing";

// Debian's redis-server: .ci/run installs it; elsewhere, without it, this suite is skipped.
const maybe = redisServerAvailable() || process.env.CI ? describe : describe.skip;

let redis: RedisServer;
beforeAll(async () => {
  if (redisServerAvailable() || process.env.CI) redis = await startRedisServer();
});
afterAll(async () => redis?.stop());

/* The real OpenTelemetry SDK, read on demand: what an operator sees of a Redis outage. */
class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

const upgrade = (url: string) =>
  new Promise<{ status: number; ms: number; ws?: WebSocket }>((resolve, reject) => {
    const started = performance.now();
    const ws = new WebSocket(url, { headers: { authorization: "Bearer k" } });
    ws.once("open", () => resolve({ status: 101, ms: performance.now() - started, ws }));
    ws.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
    ws.once("error", reject);
  });

maybe("a Redis that hangs", () => {
  it("bounds every call by the timeout; each policy fails open or closed as configured; all is well once Redis answers again", async () => {
    const client = new Redis(redis.url);
    const state = redisState({ client, timeoutMs: 200 });
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    const servers = (["open", "closed"] as const).map((onStateError) => {
      const http = createServer();
      const server = new WsErrorServer({
        codec: collective2,
        server: http,
        state,
        metrics: provider.getMeter("test"),
        policies: [apiKey({ from: { bearer: true }, verify: () => true }), connectionCap({ perKey: 1, onStateError })],
        logger: { error: () => undefined, warn: () => undefined },
      });
      return { http, server };
    });
    await Promise.all(servers.map(({ http }) => new Promise<void>((r) => http.listen(0, "127.0.0.1", r))));
    const [failOpen, failClosed] = servers.map(({ http }) => `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`) as [string, string];
    expect(await state.acquire("warm-up", 1, "x")).toBe(true);

    redis.freeze();
    try {
      const started = performance.now();
      await expect(state.hit("b", 1, 1000)).rejects.toBeInstanceOf(StateTimeoutError);
      expect(performance.now() - started).toBeLessThan(1_000);
      const admitted = await upgrade(failOpen);
      const refused = await upgrade(failClosed);
      expect(admitted.status).toBe(101);
      // Collective2's service-unavailable entry: 503.
      expect(refused.status).toBe(503);
      expect(Math.max(admitted.ms, refused.ms)).toBeLessThan(1_000);
      admitted.ws?.close();
      // The outage in metrics: one timed-out call per server, by the policy and how it failed.
      const { resourceMetrics } = await reader.collect();
      const failures = (resourceMetrics.scopeMetrics.flatMap((m) => m.metrics).find((m) => m.descriptor.name === "ws_errors.server.state.failures")
        ?.dataPoints ?? []) as DataPoint<number>[];
      const count = (mode: string) =>
        failures
          .filter(
            (p) =>
              p.attributes["ws_errors.policy"] === "connection-cap" &&
              p.attributes["ws_errors.outcome"] === "timeout" &&
              p.attributes["ws_errors.fail_mode"] === mode,
          )
          .reduce((n, p) => n + p.value, 0);
      expect(count("open")).toBe(1);
      expect(count("closed")).toBe(1);
    } finally {
      redis.thaw();
    }
    // Back: the cap of one holds again on both.
    const first = await upgrade(failClosed);
    expect(first.status).toBe(101);
    expect((await upgrade(failOpen)).status).toBe(429);
    first.ws?.close();
    for (const { server, http } of servers) {
      await server.close();
      http.closeAllConnections();
      http.close();
    }
    await state.close();
    client.disconnect();
    await provider.shutdown();
  }, 20_000);
});

maybe("an instance that shuts down", () => {
  it("gives its slots back before its connection goes: another instance admits the key at once, not after the leases expire", async () => {
    // A rolling restart: instance A holds both of a key's slots, closes its connections and its
    // state; B must admit the key's reconnecting clients now, not leaseMs (15 s) later.
    const instance = async () => {
      const client = new Redis(redis.url);
      const state = redisState({ client });
      const http = createServer();
      const server = new WsErrorServer({
        codec: collective2 as Codec<WsError>,
        server: http,
        path: "/ws",
        state,
        handshake: false,
        policies: [apiKey({ from: { bearer: true }, verify: () => true }), connectionCap({ perKey: 2 })],
        logger: { error: () => undefined, warn: (message) => warnings.push(message) },
      });
      await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
      const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
      return {
        url,
        state,
        async stop() {
          await server.close();
          await state.close();
          await client.quit();
          http.close();
        },
      };
    };
    const warnings: string[] = [];
    const [a, b] = [await instance(), await instance()];
    try {
      const held = [await upgrade(a.url), await upgrade(a.url)];
      expect(held.map((h) => h.status)).toEqual([101, 101]);
      expect((await upgrade(b.url)).status).toBe(429);
      // One connection ends on its own just before the shutdown (its release is still on its way),
      // the other is still open when the server closes.
      held[0]!.ws!.close();
      await new Promise((r) => held[0]!.ws!.once("close", r));
      await a.stop();
      const after = [await upgrade(b.url), await upgrade(b.url)];
      expect(after.map((h) => h.status)).toEqual([101, 101]);
      expect(warnings).toEqual([]);
      for (const h of after) h.ws?.close();
    } finally {
      await b.stop();
    }
  });
});
