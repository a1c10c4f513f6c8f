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

/** One server instance on its own Redis connection and state: a connection cap of 2 per key. */
const instance = async (url: string, warnings: string[], leaseMs?: number) => {
  const client = new Redis(url);
  const state = redisState({ client, ...(leaseMs !== undefined && { leaseMs }) });
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
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`,
    client,
    state,
    async stop() {
      await server.close();
      await state.close();
      client.disconnect();
      http.close();
    },
  };
};

maybe("an instance that shuts down", () => {
  it("gives its slots back before its connection goes: another instance admits the key at once, not after the leases expire", async () => {
    // A rolling restart: instance A holds both of a key's slots, closes its connections and its
    // state; B must admit the key's reconnecting clients now, not leaseMs (15 s) later.
    const warnings: string[] = [];
    const [a, b] = [await instance(redis.url, warnings), await instance(redis.url, warnings)];
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

maybe("a Redis outage longer than the lease", () => {
  // A Redis of its own, since this suite kills it. Leases of 1.5 s, renewed every 0.5 s.
  const LEASE = 1_500;
  const RENEWAL = LEASE / 3;
  const cases = [
    {
      name: "killed and restarted empty",
      outage: async (server: RedisServer) => {
        await server.kill();
        return startRedisServer({ port: server.port });
      },
    },
    {
      name: "hung (SIGSTOP) past twice the lease, so its keys expire as it wakes",
      outage: async (server: RedisServer) => {
        server.freeze();
        await new Promise((r) => setTimeout(r, LEASE * 2 + 500));
        server.thaw();
        return server;
      },
    },
  ];
  for (const { name, outage } of cases) {
    it(`${name}: the instances register the slots of the connections they still hold, and the cap is exact again within one renewal`, async () => {
      let server = await startRedisServer();
      const warnings: string[] = [];
      const [a, b] = [await instance(server.url, warnings, LEASE), await instance(server.url, warnings, LEASE)];
      try {
        const held = [await upgrade(a.url), await upgrade(a.url)];
        expect(held.map((h) => h.status)).toEqual([101, 101]);
        expect((await upgrade(b.url)).status).toBe(429);
        server = await outage(server);
        // Both instances back on Redis, then one renewal interval (and a little for the round trip).
        const back = async (client: Redis) => {
          while (client.status !== "ready" || (await client.ping().catch(() => "")) !== "PONG") await new Promise((r) => setTimeout(r, 20));
        };
        await Promise.all([back(a.client), back(b.client)]);
        await new Promise((r) => setTimeout(r, RENEWAL + 200));
        // Before this, slots were only renewed if Redis still had them: both connections stopped
        // counting and a third client of the key was admitted.
        const third = await upgrade(b.url);
        expect(third.status).toBe(429);
        // The re-registered slots are still given back when their connections close.
        for (const h of held) h.ws?.close();
        const deadline = Date.now() + 3_000;
        let admitted = await upgrade(b.url);
        while (admitted.status !== 101 && Date.now() < deadline) admitted = await upgrade(b.url);
        expect(admitted.status).toBe(101);
        admitted.ws?.close();
      } finally {
        await a.stop();
        await b.stop();
        await server.stop();
      }
    }, 20_000);
  }
});

maybe("lease renewals", () => {
  it("renew every slot an instance holds, across keys, in one script call per interval and 1,000 holders (not one call per connection)", async () => {
    const client = new Redis(redis.url);
    const LEASE = 600;
    const a = redisState({ client, leaseMs: LEASE });
    const b = redisState({ client });
    const probe = new Redis(redis.url);
    try {
      for (const key of ["k1", "k2", "k3"]) expect(await a.acquire(key, 1, `${key}-holder`)).toBe(true);
      for (let i = 0; i < 1_500; i++) expect(await a.acquire("big", 1_500, `big-${i}`)).toBe(true);
      const renewals = async () => {
        const stats = await probe.info("commandstats");
        return Number(/cmdstat_evalsha:calls=(\d+)/.exec(stats)?.[1] ?? 0) + Number(/cmdstat_eval:calls=(\d+)/.exec(stats)?.[1] ?? 0);
      };
      const before = await renewals();
      // Five leases long: every slot would have expired four times over without renewals.
      await new Promise((r) => setTimeout(r, LEASE * 5));
      const calls = (await renewals()) - before;
      // 15 intervals (a third of the lease each), 1,503 holders: 2 calls per interval.
      expect(calls).toBeGreaterThanOrEqual(2 * 12);
      expect(calls).toBeLessThanOrEqual(2 * 16);
      for (const key of ["k1", "k2", "k3"]) expect(await b.acquire(key, 1, "other")).toBe(false);
      expect(await b.acquire("big", 1_500, "other")).toBe(false);
      expect(await b.acquire("big", 1_501, "other")).toBe(true);
    } finally {
      await a.close();
      await b.close();
      client.disconnect();
      probe.disconnect();
    }
  });
});
