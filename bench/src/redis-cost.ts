import { createServer as createHttpServer } from "node:http";
import { type AddressInfo, createServer, connect, type Server, type Socket } from "node:net";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { apiKey, attemptRate, connectionCap, revocation, type SharedState, WsErrorServer } from "@ws-errors/node";
import { redisState } from "@ws-errors/redis";
import { redisServerAvailable, type RedisServer, startRedisServer } from "@ws-errors/redis/testing";
import { Redis } from "ioredis";
import { WebSocket } from "ws";
import type { Figure } from "./stats";

/*
 * What each thing a server does costs Redis: commands Redis processed, round trips (writes the
 * state's connections made), and bytes each way, per operation. The state reaches Redis through a
 * TCP proxy in this process that counts; Redis's own INFO counts the commands (the probe that asks
 * goes around the proxy, and its own INFO calls are subtracted). These are counts, not timings:
 * the same on any machine, so they carry no same-run baseline and stay out of the ratio tables.
 */

interface Meter {
  readonly port: number;
  reset(): void;
  read(): { writes: number; toRedis: number; fromRedis: number };
  close(): Promise<void>;
}

function countingProxy(target: number): Promise<Meter> {
  let writes = 0;
  let toRedis = 0;
  let fromRedis = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.on("data", (d) => {
      writes++;
      toRedis += d.length;
      upstream.write(d);
    });
    upstream.on("data", (d) => {
      fromRedis += d.length;
      client.write(d);
    });
    const end = () => (client.destroy(), upstream.destroy());
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        reset: () => void (writes = toRedis = fromRedis = 0),
        read: () => ({ writes, toRedis, fromRedis }),
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}

/** Commands Redis processed, less the INFO calls that ask. */
function commandCounter(redis: RedisServer) {
  const probe = new Redis(redis.url);
  let asked = 0;
  const total = async () => {
    asked++;
    return Number(/total_commands_processed:(\d+)/.exec(await probe.info("stats"))?.[1] ?? 0);
  };
  let start = 0;
  let startAsked = 0;
  return {
    async reset() {
      start = await total();
      startAsked = asked;
    },
    async read() {
      const now = await total();
      return now - start - (asked - startAsked);
    },
    close: () => probe.disconnect(),
  };
}

const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

function costFigure(name: string, per: string, n: number, commands: number, m: { writes: number; toRedis: number; fromRedis: number }): Figure {
  const value = commands / n;
  return {
    suite: "redis-cost",
    name,
    median: value,
    spread: [value, value],
    unit: "×",
    baseline: per,
    baselineMedian: 1,
    ratio: value,
    ratioSpread: [value, value],
    counts: { per, commands: commands / n, roundTrips: m.writes / n, bytesToRedis: m.toRedis / n, bytesFromRedis: m.fromRedis / n },
  };
}

export async function redisCostBenchmarks(): Promise<Figure[]> {
  if (!redisServerAvailable()) {
    console.log("  skipped: no redis-server on the PATH (apt-get install redis-server)");
    return [];
  }
  const redis = await startRedisServer();
  const proxy = await countingProxy(redis.port);
  const commands = commandCounter(redis);
  const client = new Redis({ port: proxy.port, host: "127.0.0.1" });
  const state = redisState({ client });
  const figures: Figure[] = [];
  const measure = async (name: string, per: string, n: number, run: () => Promise<void>) => {
    await settle();
    proxy.reset();
    await commands.reset();
    await run();
    await settle();
    figures.push(costFigure(name, per, n, await commands.read(), proxy.read()));
  };
  try {
    // An upgrade through the usual multi-instance policies, then its close (the slot given back).
    const http = createHttpServer();
    const server = new WsErrorServer({
      codec: collective2,
      server: http,
      state: state as SharedState,
      handshake: false,
      policies: [
        attemptRate({ per: "address", limit: 1e9 }),
        apiKey({ from: { bearer: true }, verify: () => true }),
        revocation(),
        attemptRate({ per: "key", limit: 1e9 }),
        connectionCap({ perKey: 10 }),
      ],
      logger: { error: () => undefined, warn: () => undefined },
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    const open = (key: string) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(url, { headers: { authorization: `Bearer ${key}` } });
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
      });
    const closed = (ws: WebSocket) => new Promise<void>((r) => (ws.once("close", () => r()), ws.close()));
    await closed(await open("warm-up"));
    const UPGRADES = 300;
    await measure(
      "an upgrade admitted (per-address and per-key attempt windows, revocation check, per-key cap), then closed (its slot given back)",
      "upgrade",
      UPGRADES,
      async () => {
        for (let i = 0; i < UPGRADES; i++) await closed(await open(`key-${i}`));
      },
    );

    // Idle connections cost only their lease renewals: one call per interval for up to 1,000
    // holders across all keys. 1,000 connections on 1,000 keys, leaseMs 15 s (renewed every 5 s),
    // measured over 30 s and given per connection per minute.
    const held: WebSocket[] = [];
    for (let i = 0; i < 1_000; i++) held.push(await open(`idle-${i}`));
    await measure("an idle connection, per minute (lease renewals; 1,000 open on 1,000 keys, leaseMs 15 s)", "connection-minute", 1_000 / 2, async () => {
      await settle(30_000);
    });
    await Promise.all(held.map(closed));
    await server.close();
    http.close();

    // An append, heard by one other instance's tail (its subscriber through the proxy as well).
    const other = redisState({ client });
    const heard: number[] = [];
    const stop = other.tail("cost-stream", (e) => heard.push(e.seq));
    await settle(500);
    const payload = JSON.stringify({
      msg_type: "strategy.signal",
      seq_id: 0,
      payload: { strategy_id: 12345678, symbol: "AAPL", action: "BTO", quantity: 100 },
    });
    const APPENDS = 1_000;
    await measure("an entry appended (INCR, XADD with retention, PUBLISH; one script), heard by one other instance's tail", "append", APPENDS, async () => {
      for (let i = 0; i < APPENDS; i++) await state.append("cost-stream", payload);
      while (heard.length < APPENDS) await settle(20);
    });
    stop();
    await other.close();

    const RESUMES = 200;
    await measure(
      "a resume: 100 entries replayed after a position (XRANGE and the stream's counter in one MULTI; nothing lost)",
      "resume",
      RESUMES,
      async () => {
        for (let i = 0; i < RESUMES; i++) await state.replay("cost-stream", 500, 100);
      },
    );
  } finally {
    await state.close();
    client.disconnect();
    commands.close();
    await proxy.close();
    await redis.stop();
  }
  return figures;
}
