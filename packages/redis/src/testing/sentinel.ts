import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { askRedis as ask, freePort, type RedisServer, spawnRedis, startRedisServer } from "./server";

/** A primary, its replicas and the sentinels watching them, all started by this process. */
export interface RedisSentinels {
  /** The name the sentinels monitor the primary under. */
  readonly name: string;
  /** The servers, the first primary first (roles change after a failover). */
  readonly servers: readonly RedisServer[];
  /** What an ioredis client starts from: `new Redis({ sentinels, name })`. */
  readonly sentinels: readonly { host: string; port: number }[];
  /** The server the sentinels name as primary now. */
  primary(): Promise<RedisServer>;
  /** Resolves once the sentinels agree on a live primary, know each other and see every other running server as a replica in sync. */
  settled(timeoutMs?: number): Promise<void>;
  /** Stops every process still running and removes their files. */
  stop(): Promise<void>;
}

/**
 * Starts a primary, `replicas` replicas (default 1) and three `redis-sentinel` processes (Debian's
 * `redis-sentinel`, quorum 2, a primary is down after 1 s), on free loopback ports.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { startRedisSentinels } from "@ws-errors/redis/testing";
 * const set = await startRedisSentinels();
 * const client = new Redis({ sentinels: [...set.sentinels], name: set.name });
 * afterAll(async () => (client.disconnect(), await set.stop()));
 * ```
 */
export async function startRedisSentinels(options: { replicas?: number; name?: string } = {}): Promise<RedisSentinels> {
  const name = options.name ?? "ws-errors";
  const dir = mkdtempSync(join(tmpdir(), "ws-errors-sentinel-"));
  const servers: RedisServer[] = [];
  const watchers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all([...watchers, ...servers].map((p) => p.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const primary = await startRedisServer();
    servers.push(primary);
    for (let i = 0; i < (options.replicas ?? 1); i++) servers.push(await startRedisServer({ args: ["--replicaof", "127.0.0.1", String(primary.port)] }));
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = join(dir, `sentinel-${port}.conf`);
      // Sentinel rewrites its own file as it learns the topology, so each one gets a writable copy.
      writeFileSync(
        file,
        [
          `port ${port}`,
          "bind 127.0.0.1",
          "protected-mode no",
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primary.port} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          "",
        ].join("\n"),
      );
      watchers.push(await spawnRedis("redis-sentinel", [file], port, "+monitor master"));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const set: RedisSentinels = {
    name,
    servers,
    sentinels: watchers.map((w) => ({ host: "127.0.0.1", port: w.port })),
    async primary() {
      for (const w of watchers) {
        const address = await ask(w.port, (r) => r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name) as Promise<[string, string] | null>);
        const found = address && servers.find((s) => s.port === Number(address[1]));
        if (found) return found;
      }
      throw new Error(`no sentinel names a primary for ${name}`);
    },
    async settled(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const views = await Promise.all(
          watchers.map((w) =>
            ask(w.port, async (r) => {
              const master = (await r.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", name)) as [string, string] | null;
              const others = (await r.call("SENTINEL", "SENTINELS", name)) as unknown[];
              const replicas = (await r.call("SENTINEL", "REPLICAS", name)) as string[][];
              const healthy = replicas.filter((fields) => {
                const flags = fields[fields.indexOf("flags") + 1] ?? "";
                return !flags.includes("down") && fields[fields.indexOf("master-link-status") + 1] === "ok";
              });
              return { master: master?.[1], others: others.length, healthy: healthy.length };
            }),
          ),
        );
        const live = views.filter((v) => v !== undefined);
        const master = live[0]?.master;
        const primaryUp = master !== undefined && (await ask(Number(master), (r) => r.info("replication")))?.includes("role:master");
        // Every server still running other than the primary must be a replica in sync.
        const running = (await Promise.all(servers.map((s) => ask(s.port, (r) => r.ping())))).filter((pong) => pong === "PONG").length;
        const expected = running - 1;
        if (live.length === watchers.length && primaryUp && live.every((v) => v.master === master && v.others === watchers.length - 1 && v.healthy >= expected))
          return;
        if (Date.now() > deadline) throw new Error(`the sentinels did not settle within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop,
  };
  await set.settled().catch(async (error) => {
    await stop();
    throw error;
  });
  return set;
}
