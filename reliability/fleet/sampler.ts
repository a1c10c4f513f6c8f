import type { RedisServer } from "@ws-errors/redis/testing";
import { Redis } from "ioredis";

/** Redis's own counters at one moment, summed over the nodes that answered. */
export interface Mark {
  readonly at: number;
  readonly commands: number;
  readonly cpuSeconds: number;
}

/**
 * Samples every Redis node's INFO each 250 ms: commands processed, CPU seconds (user + sys) and
 * memory. `mark()` is the latest sum; `peak()` the highest CPU share (of one core, the sum over
 * nodes and the busiest node) and memory seen between two samples.
 */
export function redisSampler(nodes: readonly RedisServer[]) {
  const clients = nodes.map((n) => {
    const r = new Redis({ port: n.port, host: "127.0.0.1", maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
    r.on("error", () => undefined);
    return r;
  });
  const last = new Map<number, { at: number; cpu: number; commands: number }>();
  // Commands counted on primaries only: a replica also counts the commands it applies from its primary.
  const totals = new Map<number, { cpu: number; commands: number }>();
  let peakCpuSum = 0;
  let peakCpuNode = 0;
  let peakMemory = 0;
  let peakMemoryNode = 0;
  const read = (info: string, field: string) => Number(new RegExp(`${field}:([0-9.]+)`).exec(info)?.[1] ?? 0);
  const sample = async () => {
    let cpuShare = 0;
    let memory = 0;
    await Promise.all(
      clients.map(async (client, i) => {
        const info = await client.info().catch(() => undefined);
        if (!info) return;
        const now = { at: Date.now(), cpu: read(info, "used_cpu_user") + read(info, "used_cpu_sys"), commands: read(info, "total_commands_processed") };
        const before = last.get(i);
        if (before && now.at > before.at) {
          const share = (now.cpu - before.cpu) / ((now.at - before.at) / 1000);
          cpuShare += share;
          peakCpuNode = Math.max(peakCpuNode, share);
        }
        last.set(i, now);
        const total = totals.get(i) ?? { cpu: 0, commands: 0 };
        const primary = info.includes("role:master");
        totals.set(i, { cpu: now.cpu, commands: total.commands + (before && primary ? now.commands - before.commands : 0) });
        const used = read(info, "used_memory");
        memory += used;
        peakMemoryNode = Math.max(peakMemoryNode, used);
      }),
    );
    peakCpuSum = Math.max(peakCpuSum, cpuShare);
    peakMemory = Math.max(peakMemory, memory);
  };
  const timer = setInterval(() => void sample(), 250);
  return {
    /** The counters now (as of the last sample), summed over every node ever seen (a dead node keeps its last values); commands as primaries only. */
    mark(): Mark {
      let commands = 0;
      let cpuSeconds = 0;
      for (const t of totals.values()) {
        commands += t.commands;
        cpuSeconds += t.cpu;
      }
      return { at: Date.now(), commands, cpuSeconds };
    },
    peak: () => ({ cpuSum: peakCpuSum, cpuBusiestNode: peakCpuNode, memoryBytes: peakMemory, memoryBusiestNodeBytes: peakMemoryNode }),
    stop() {
      clearInterval(timer);
      for (const c of clients) c.disconnect();
    },
  };
}
