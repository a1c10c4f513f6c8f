/*
 * The fleet run: 3 demo instances (processes) behind a round-robin balancer, sharing one Redis or
 * a Redis Cluster, and thousands of clients each following Collective2's signal stream. One
 * instance is killed (SIGKILL); with `--redis cluster`, the primary holding the stream is killed
 * too, a second later. Every client of the dead instance must resume on the others with no gap and
 * no duplicate. Prints the figures (RELIABILITY.md quotes them) and exits non-zero if any client
 * saw a gap or a duplicate or was not back in time.
 *
 *   pnpm --filter @ws-errors/reliability fleet [--clients 5000] [--redis single|cluster] [--per-key 5] [--lease-ms N]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startBalancer } from "@ws-errors/demo-server/balancer";
import { type DemoProcess, startDemoProcess } from "@ws-errors/demo-server/process";
import { type RedisServer, startRedisCluster, startRedisServer } from "@ws-errors/redis/testing";
import { redisSampler } from "./sampler";
import { summarize, type ClientRecord } from "./summary";

const { values } = parseArgs({
  options: {
    clients: { type: "string", default: "5000" },
    redis: { type: "string", default: "single" },
    processes: { type: "string", default: "2" },
    "signal-every-ms": { type: "string", default: "1000" },
    "back-within-ms": { type: "string", default: "30000" },
    // Clients per API key; the demo caps a key at 10 connections. At 10, a dead instance's
    // clients find their key full until its slots' leases expire (LEASE_MS, default 15 s).
    "per-key": { type: "string", default: "5" },
    "lease-ms": { type: "string" },
  },
});
const CLIENTS = Number(values.clients);
const PROCESSES = Number(values.processes);
const onCluster = values.redis === "cluster";
const STREAM_KEY = "ws-errors:stream:{collective2:strategy.signal:12345678}";
const started = Date.now();

/** What one clients process reports when stopped. */
interface ClientsResult {
  readonly records: ClientRecord[];
  readonly counted: Record<string, number>;
  readonly errors: Record<string, number>;
}
const log = (line: string) => console.error(`[fleet ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

const stops: (() => Promise<unknown>)[] = [];
const stopAll = async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
};

try {
  // Redis: one server, or a cluster of 3 primaries and 3 replicas.
  let nodes: RedisServer[];
  let env: Record<string, string>;
  let primaryFor: ((key: string) => Promise<RedisServer>) | undefined;
  if (onCluster) {
    const cluster = await startRedisCluster();
    stops.push(() => cluster.stop());
    nodes = [...cluster.nodes];
    primaryFor = (key) => cluster.primaryFor(key);
    env = { REDIS_CLUSTER: cluster.startupNodes.map((n) => `${n.host}:${n.port}`).join(","), HISTORY_REPLICAS: "1" };
  } else {
    const redis = await startRedisServer();
    stops.push(() => redis.stop());
    nodes = [redis];
    env = { REDIS_URL: redis.url };
  }
  log(`redis: ${onCluster ? "cluster of 6" : "one server"}`);
  const sampler = redisSampler(nodes);
  stops.push(async () => sampler.stop());

  const instances: DemoProcess[] = [];
  if (values["lease-ms"]) env.LEASE_MS = values["lease-ms"];
  for (let i = 0; i < 3; i++) instances.push(await startDemoProcess({ ...env, SIGNAL_EVERY_MS: values["signal-every-ms"] as string }));
  stops.push(() => Promise.all(instances.map((i) => i.stop())));
  const balancer = await startBalancer(instances.map((i) => i.port));
  stops.push(() => balancer.close());
  log(`3 instances on ${instances.map((i) => i.port).join(", ")}, balancer on ${balancer.port}`);

  // The clients, in child processes.
  const children: {
    child: ChildProcess;
    latest: { opened?: number; following?: number; away?: number };
    result?: Promise<ClientsResult>;
  }[] = [];
  const script = fileURLToPath(new URL("./clients.ts", import.meta.url));
  for (let p = 0; p < PROCESSES; p++) {
    const count = Math.floor(CLIENTS / PROCESSES) + (p < CLIENTS % PROCESSES ? 1 : 0);
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--max-old-space-size=2048",
        script,
        `ws://127.0.0.1:${balancer.port}/collective2/ws`,
        String(count),
        String(p * 10_000),
        values["per-key"] as string,
      ],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    const entry: (typeof children)[number] = { child, latest: {} };
    let buffer = "";
    entry.result = new Promise((resolve, reject) => {
      child.stdout?.on("data", (d: Buffer) => {
        buffer += d.toString();
        let newline = buffer.indexOf("\n");
        while (newline >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          const parsed = JSON.parse(line) as {
            done?: boolean;
            records?: ClientRecord[];
            counted?: Record<string, number>;
            errors?: Record<string, number>;
            opened?: number;
            following?: number;
            away?: number;
          };
          if (parsed.done) resolve({ records: parsed.records as ClientRecord[], counted: parsed.counted ?? {}, errors: parsed.errors ?? {} });
          else entry.latest = parsed;
          newline = buffer.indexOf("\n");
        }
      });
      // Read to the end of its output before deciding it ended without its result.
      child.stdout?.once("end", () => reject(new Error(`a clients process ended without its result (exit ${child.exitCode})`)));
    });
    entry.result.catch(() => undefined);
    children.push(entry);
    stops.push(async () => void child.kill("SIGKILL"));
  }
  const following = () => children.reduce((n, c) => n + (c.latest.following ?? 0), 0);
  const away = () => children.reduce((n, c) => n + (c.latest.away ?? 0), 0);
  const until = async (check: () => boolean, what: string, ms: number) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  await until(() => following() >= CLIENTS, `${CLIENTS} clients to follow the stream`, 120_000);
  log(`${CLIENTS} clients following the stream`);

  // A steady window, for Redis's load without a failure.
  await new Promise((r) => setTimeout(r, 1_000));
  const before = sampler.mark();
  await new Promise((r) => setTimeout(r, 5_000));
  const steady = sampler.mark();
  const victim = instances[0] as DemoProcess;
  const killedAt = Date.now();
  await victim.kill();
  log("instance 0 killed");
  let failedOver: number | undefined;
  if (primaryFor) {
    await new Promise((r) => setTimeout(r, 1_000));
    const primary = await primaryFor(STREAM_KEY);
    await primary.kill();
    failedOver = Date.now();
    log(`the stream's primary (port ${primary.port}) killed`);
  }
  // Every client back (none away: each outage ended by a signal), then a settled window.
  await new Promise((r) => setTimeout(r, 2_000));
  const backWithin = Number(values["back-within-ms"]);
  await until(() => away() === 0, "every client to be back", backWithin).catch((e) => log(String(e)));
  log("every client back");
  await new Promise((r) => setTimeout(r, 5_000));
  const recovery = sampler.mark();
  for (const c of children) c.child.stdin?.write("stop\n");
  const results = await Promise.all(children.map((c) => c.result as Promise<ClientsResult>));
  const errors: Record<string, number> = {};
  for (const r of results) for (const [tag, n] of Object.entries(r.errors)) errors[tag] = (errors[tag] ?? 0) + n;
  const summary = summarize({
    records: results.flatMap((r) => r.records),
    counted: results.map((r) => r.counted),
    killedAt,
    failedOver,
    before,
    steady,
    recovery,
    peak: sampler.peak(),
    backWithinMs: backWithin,
  });
  // An instance that died on its own (not the victim) is a failure, with its last words.
  for (const [i, instance] of instances.entries()) {
    if (instance !== victim && !instance.alive()) log(`instance ${i} died:\n${instance.output().slice(-3000)}`);
  }
  console.log(JSON.stringify({ clients: CLIENTS, deployment: onCluster ? "cluster" : "single", ...summary, errorsToldToClients: errors }, null, 2));
  process.exitCode = summary.ok && instances.every((i) => i === victim || i.alive()) ? 0 : 1;
} catch (error) {
  log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
