import { Cluster, Redis } from "ioredis";
import { redisState } from "@ws-errors/redis";
import { REAL_TIMING, startDemoServers } from "./index";
import { prometheusMetrics } from "./metrics";

const port = Number(process.env.PORT ?? 8080);
const handshakeTimeoutMs = process.env.HANDSHAKE_TIMEOUT_MS ? Number(process.env.HANDSHAKE_TIMEOUT_MS) : undefined;
// REDIS_URL=redis://HOST:PORT: caps, attempt limits, revocations and Collective2's signal history
// are shared with every other instance on that Redis.
// REDIS_CLUSTER=HOST:PORT,HOST:PORT...: the same on a Redis Cluster (its startup nodes).
const redis = process.env.REDIS_CLUSTER
  ? new Cluster(process.env.REDIS_CLUSTER.split(",").map((node) => ({ host: node.split(":")[0] as string, port: Number(node.split(":")[1]) })))
  : process.env.REDIS_URL
    ? new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: 1 })
    : undefined;
redis?.on("error", () => undefined); // reconnects by itself; each policy says what to do meanwhile
const state = redis
  ? redisState({
      client: redis,
      ...(process.env.LEASE_MS ? { leaseMs: Number(process.env.LEASE_MS) } : {}),
      // HISTORY_REPLICAS=1: a signal is shown only once a replica holds it (what survives a failover).
      ...(process.env.HISTORY_REPLICAS ? { historyReplicas: Number(process.env.HISTORY_REPLICAS) } : {}),
    })
  : undefined;
// SIGNAL_EVERY_MS: Collective2's signal rate per instance (default 200 ms); the fleet run slows it.
const timing = process.env.SIGNAL_EVERY_MS ? { ...REAL_TIMING, signalEveryMs: Number(process.env.SIGNAL_EVERY_MS) } : undefined;
// METRICS=1: the OpenTelemetry SDK, registered before the servers exist, scraped at /metrics.
const scrape = process.env.METRICS === "1" ? prometheusMetrics() : undefined;
const demo = await startDemoServers({
  ...(scrape && { metrics: scrape.handler }),
  port,
  host: process.env.HOST ?? "127.0.0.1",
  ...(handshakeTimeoutMs ? { handshakeTimeoutMs } : {}),
  ...(state ? { state } : {}),
  ...(timing ? { timing } : {}),
});
console.log(
  `ws-errors demo servers on ${demo.url} (keys: demo-key; revoked-key is revoked 5 s after connecting)${redis ? `; state shared on ${process.env.REDIS_CLUSTER ?? process.env.REDIS_URL}` : ""}${scrape ? `; metrics at http://${process.env.HOST ?? "127.0.0.1"}:${demo.port}/metrics` : ""}`,
);
for (const endpoint of demo.endpoints) console.log(`  ${endpoint.name.padEnd(14)} ${demo.url}${endpoint.path}`);
const stop = async () => {
  await demo.close();
  await state?.close();
  await scrape?.shutdown();
  redis?.disconnect();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
