import type { Cluster, Redis } from "ioredis";

/** A single Redis (standalone, or a Sentinel-managed primary) or a Redis Cluster: what `redisState` accepts. */
export type RedisLike = Redis | Cluster;

/** Thrown when Redis does not answer within `timeoutMs`. */
export class StateTimeoutError extends Error {
  constructor(operation: string, ms: number) {
    super(`Redis did not answer ${operation} within ${ms} ms`);
    this.name = "StateTimeoutError";
  }
}

/**
 * A connection of the state's own with the caller's connection options: `Redis.duplicate` and
 * `Cluster.duplicate` differ in shape (a cluster takes its startup nodes first), so the state never
 * has to care which one it was given.
 */
export function duplicateOf(client: RedisLike, options: { enableOfflineQueue?: boolean; enableAutoPipelining?: boolean } = {}): RedisLike {
  // Both options exist on a cluster as a whole; its per-node options are kept as the caller set them.
  return client.isCluster ? (client as Cluster).duplicate([], options) : (client as Redis).duplicate(options);
}

/**
 * Runs `call` once `client` is ready, failing it after `timeoutMs`: the first connection is awaited
 * (bounded), a lost one fails the call at once, so an upgrade never hangs on a dead Redis.
 */
export function boundedCalls(client: RedisLike, timeoutMs: number) {
  // One listener for every call waiting on the first connection, not one per call.
  let connecting: Promise<void> | undefined;
  const ready = (): Promise<void> => {
    if (client.status === "ready") return Promise.resolve();
    if (client.status !== "wait" && client.status !== "connecting" && client.status !== "connect")
      return Promise.reject(new Error(`Redis is ${client.status}`));
    if (client.status === "wait") void client.connect().catch(() => undefined);
    connecting ??= new Promise<void>((resolve) => client.once("ready", () => resolve())).finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  return <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StateTimeoutError(operation, timeoutMs)), timeoutMs);
    });
    return Promise.race([ready().then(call), timeout]).finally(() => clearTimeout(timer));
  };
}

/** What {@link boundedCalls} returns. */
export type Bounded = ReturnType<typeof boundedCalls>;
