import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { askRedis as ask, freePort, type RedisServer, startRedisServer } from "./server";

/** A Redis Cluster this process started: primaries with their replicas, on loopback. */
export interface RedisCluster {
  /** Every node, primaries first as created (their roles change after a failover). */
  readonly nodes: readonly RedisServer[];
  /** What an ioredis `Cluster` starts from. */
  readonly startupNodes: readonly { host: string; port: number }[];
  /** The node that is the primary for `key` now. */
  primaryFor(key: string): Promise<RedisServer>;
  /** Resolves once every live node serves all slots, with one primary per shard and every live replica's link up. */
  settled(timeoutMs?: number): Promise<void>;
  /** Stops every node still running and removes the cluster's files. */
  stop(): Promise<void>;
}

// A node's cluster bus listens on its port + 10000, which must be free as well.
async function portWithBus(taken: Set<number>): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port > 55_000 || taken.has(port) || taken.has(port + 10_000)) continue;
    const probe = await freePort();
    if (probe === port + 10_000) continue;
    taken.add(port);
    return port;
  }
  throw new Error("no free port below 55000 for a cluster node");
}

/**
 * Starts a Redis Cluster from Debian's `redis-server` and `redis-cli` (`--cluster create`):
 * `primaries` primaries (default 3), each with `replicas` replicas (default 1), on free loopback
 * ports, with a short node timeout (1 s) so a killed primary's replica takes over in seconds.
 *
 * @example
 * ```ts
 * import { Cluster } from "ioredis";
 * import { startRedisCluster } from "@ws-errors/redis/testing";
 * const cluster = await startRedisCluster();
 * const client = new Cluster([...cluster.startupNodes]);
 * afterAll(async () => (client.disconnect(), await cluster.stop()));
 * ```
 */
export async function startRedisCluster(options: { primaries?: number; replicas?: number } = {}): Promise<RedisCluster> {
  const primaries = options.primaries ?? 3;
  const replicas = options.replicas ?? 1;
  const dir = mkdtempSync(join(tmpdir(), "ws-errors-cluster-"));
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < primaries * (1 + replicas); i++) ports.push(await portWithBus(taken));
  const nodes: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of ports) {
      nodes.push(
        await startRedisServer({
          port,
          args: ["--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`), "--cluster-node-timeout", "1000", "--dir", dir],
        }),
      );
    }
    const created = spawnSync(
      "redis-cli",
      ["--cluster", "create", ...ports.map((p) => `127.0.0.1:${p}`), "--cluster-replicas", String(replicas), "--cluster-yes"],
      { encoding: "utf8", timeout: 30_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stderr || created.stdout}`);
  } catch (error) {
    await stop();
    throw error;
  }
  const byPort = new Map(nodes.map((n) => [n.port, n]));
  const cluster: RedisCluster = {
    nodes,
    startupNodes: ports.map((port) => ({ host: "127.0.0.1", port })),
    async primaryFor(key) {
      for (const node of nodes) {
        const slots = await ask(node.port, async (r) => {
          const slot = (await r.cluster("KEYSLOT", key)) as number;
          const ranges = await r.cluster("SLOTS");
          return ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
        });
        const found = slots === undefined ? undefined : byPort.get(slots);
        if (found) return found;
      }
      throw new Error(`no node serves the slot of ${key}`);
    },
    async settled(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(
          nodes.map((n) =>
            ask(n.port, async (r) => {
              const info = (await r.cluster("INFO")) as string;
              const replication = await r.info("replication");
              return { ok: info.includes("cluster_state:ok") && info.includes("cluster_slots_ok:16384"), replication };
            }),
          ),
        );
        const live = states.filter((s) => s !== undefined);
        // As many primaries as created (a promoted replica replaces a dead one), every other live
        // node a replica whose link is up.
        const masters = live.filter((s) => s.replication.includes("role:master")).length;
        const inSync = live.filter((s) => s.replication.includes("role:slave")).every((s) => s.replication.includes("master_link_status:up"));
        if (live.length > 0 && live.every((s) => s.ok) && masters === primaries && inSync) return;
        if (Date.now() > deadline) throw new Error(`the cluster did not settle within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop,
  };
  await cluster.settled().catch(async (error) => {
    await stop();
    throw error;
  });
  return cluster;
}
