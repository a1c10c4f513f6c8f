import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { signalSubscription, startDemoServers } from "@ws-errors/demo-server";
import { apiKey, attemptRate, connectionCap, memoryState, WsErrorServer, type SharedState } from "@ws-errors/node";
import { redisState } from "@ws-errors/redis";
import { redisServerAvailable, startRedisServer } from "@ws-errors/redis/testing";
import { Redis } from "ioredis";
import { WebSocket } from "ws";
import { pairedFigure, type Figure } from "./stats";

const PEER = fileURLToPath(new URL("./peer.ts", import.meta.url));
const ROUNDS = 5;

const peerOutput = (...args: string[]) =>
  new Promise<string>((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", PEER, ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
    child.on("exit", () => resolve(text));
  });

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

/** Admitted upgrades per second through key check, per-key attempt window and a per-key cap, on each store. */
async function admission(redis: SharedState): Promise<Figure> {
  const make = async (state: SharedState) => {
    const http = createServer();
    const server = new WsErrorServer({
      codec: collective2,
      server: http,
      state,
      policies: [apiKey({ from: { bearer: true }, verify: () => true }), attemptRate({ per: "key", limit: 1e9 }), connectionCap({ perKey: 1e6 })],
      logger: { error: () => undefined, warn: () => undefined },
    });
    return { server, http, port: await listen(http) };
  };
  const onRedis = await make(redis);
  const inMemory = await make(memoryState());
  let key = 0;
  const run = async (port: number) => JSON.parse(await peerOutput("admit", `ws://127.0.0.1:${port}/`, "3000", "32", `bench-${key++}`)).perSecond as number;
  await run(inMemory.port);
  await run(onRedis.port);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    b.push(await run(inMemory.port));
    a.push(await run(onRedis.port));
  }
  for (const s of [onRedis, inMemory]) {
    await s.server.close();
    s.http.closeAllConnections();
    s.http.close();
  }
  return pairedFigure(
    "redis",
    "upgrade admission: 3,000 upgrades, 32 concurrent, through apiKey + per-key attempt window + per-key cap, state on Redis",
    a,
    b,
    "the same server with the embedded memory state",
    "",
    "ops/s",
  );
}

/** Appends and replays per second: the state's scripts against the bare Redis commands they wrap. */
async function history(state: SharedState, client: Redis): Promise<Figure[]> {
  const N = 20_000;
  const IN_FLIGHT = 64;
  const payload = JSON.stringify({
    msg_type: "strategy.signal",
    id: "msg_0000000000000000000000000000",
    timestamp: "2024-01-01T12:00:00Z",
    v: 4,
    payload: { strategy_id: 12345678, symbol: "AAPL", action: "BTO", quantity: 100, price: 150.25 },
  });
  const rate = async (one: (i: number) => Promise<unknown>, total: number, inFlight = IN_FLIGHT) => {
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) await one(next++);
      }),
    );
    return (total * 1000) / (performance.now() - t0);
  };
  let round = 0;
  const ours = () => {
    const stream = `bench-append-${round++}`;
    return rate(() => Promise.resolve(state.append(stream, payload)), N);
  };
  const bare = () => {
    const key = `bench-xadd-${round++}`;
    return rate(() => client.xadd(key, "MAXLEN", "10000", "*", "p", payload), N);
  };
  await ours();
  await bare();
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    b.push(await bare());
    a.push(await ours());
  }
  // Replay: 1,000 entries from the middle of a 10,000-entry stream, 200 times.
  const stream = "bench-replay";
  for (let i = 0; i < 10_000; i++) await state.append(stream, payload);
  const replayOurs = () => rate(() => Promise.resolve(state.replay(stream, 5_000, 1_000)), 200, 8);
  const replayBare = () => rate(() => client.xrange(`ws-errors:stream:{${stream}}`, "5001-0", "+", "COUNT", 1_001), 200, 8);
  await replayOurs();
  await replayBare();
  const c: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    d.push(await replayBare());
    c.push(await replayOurs());
  }
  return [
    pairedFigure(
      "redis",
      "history append: 20,000 signals, 64 in flight (INCR + XADD with retention, one script)",
      a,
      b,
      "bare `XADD ... MAXLEN 10000 *` from ioredis",
      "",
      "ops/s",
    ),
    pairedFigure(
      "redis",
      "history replay: 1,000 entries after a position in a 10,000-entry stream, 8 in flight",
      c,
      d,
      "bare `XRANGE ... COUNT 1001` from ioredis",
      "",
      "ops/s",
    ),
  ];
}

/** From a subscribe with `resume_from` 100 signals back to the 100th replayed signal: on another instance over Redis, and on one instance in memory. */
async function resumeLatency(redisUrl: string): Promise<Figure> {
  const timing = {
    heartbeatIntervalMs: 30_000,
    heartbeatTimeoutMs: 40_000,
    slowStallMs: 3_000,
    slowCheckMs: 10_000,
    recheckMs: 1_000,
    signalEveryMs: 5,
    tickEveryMs: 250,
    revokeAfterMs: 5_000,
  };
  const clients = [new Redis(redisUrl), new Redis(redisUrl)];
  const states = clients.map((client) => redisState({ client, historyRetention: 100_000 }));
  const [a, b] = [
    await startDemoServers({ port: 0, timing, state: states[0] as SharedState }),
    await startDemoServers({ port: 0, timing, state: states[1] as SharedState }),
  ];
  const single = await startDemoServers({ port: 0, timing });
  await new Promise((r) => setTimeout(r, 1_500)); // a history to resume into
  const subscribe = (from?: number) => JSON.stringify(signalSubscription(from));
  const open = (url: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`${url}/collective2/ws`, { headers: { authorization: "Bearer demo-key" } });
      ws.once("open", () => resolve(ws));
      ws.once("error", reject);
    });
  // The latest seq on `live`, then the time to receive 100 replayed signals on `resumeOn`.
  const measureOnce = async (live: string, resumeOn: string) => {
    const probe = await open(live);
    const latest = await new Promise<number>((resolve) => {
      probe.on("message", (d) => {
        const m = JSON.parse(d.toString()) as { msg_type: string; seq_id?: number };
        if (m.msg_type === "strategy.signal") resolve(m.seq_id as number);
      });
      probe.send(subscribe());
    });
    probe.close();
    const ws = await open(resumeOn);
    const from = latest - 100;
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      ws.on("message", (d) => {
        const m = JSON.parse(d.toString()) as { msg_type: string; seq_id?: number };
        if (m.msg_type === "strategy.signal" && (m.seq_id as number) >= from + 100) resolve();
      });
      ws.send(subscribe(from));
    });
    const ms = performance.now() - t0;
    ws.close();
    return ms;
  };
  await measureOnce(a.url, b.url);
  await measureOnce(single.url, single.url);
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    base.push(await measureOnce(single.url, single.url));
    ours.push(await measureOnce(a.url, b.url));
  }
  await Promise.all([a.close(), b.close(), single.close()]);
  await Promise.all(states.map((s) => s.close()));
  for (const c of clients) c.disconnect();
  return pairedFigure(
    "redis",
    "resume latency: subscribe with resume_from 100 signals back until the 100th replayed signal, on another instance (history on Redis)",
    ours,
    base,
    "the same on one instance with the embedded memory state",
    "",
    "ms",
    false,
  );
}

export async function redisBenchmarks(): Promise<Figure[]> {
  if (!redisServerAvailable()) {
    console.log("  skipped: no redis-server on the PATH (apt-get install redis-server)");
    return [];
  }
  const server = await startRedisServer();
  const client = new Redis(server.url);
  // Generous: the suite saturates Redis on purpose, and a timeout here would end the run.
  const state = redisState({ client, timeoutMs: 10_000 });
  try {
    return [await admission(state), ...(await history(state, client)), await resumeLatency(server.url)];
  } finally {
    await state.close();
    client.disconnect();
    await server.stop();
  }
}
