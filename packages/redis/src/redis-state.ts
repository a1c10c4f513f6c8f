import { createHash } from "node:crypto";
import type { SharedState } from "@ws-errors/node";
import { channels } from "./channels";
import { boundedCalls, duplicateOf, type RedisLike, StateTimeoutError } from "./connection";
import { type HistoryClient, redisHistory } from "./history";
import { ACQUIRE, APPEND, HIT, RENEW } from "./scripts";

export { StateTimeoutError } from "./connection";
export type { RedisLike } from "./connection";

export interface RedisStateOptions {
  /**
   * An ioredis client to copy the connection options from: a `Redis` (standalone, or a primary
   * found through Sentinel) or a `Cluster`. The state opens its own connections (commands,
   * subscriber) and closes only those.
   */
  readonly client: RedisLike;
  /**
   * Prefix of every key and channel (default `ws-errors:`), so several APIs can share one Redis.
   * On a cluster, a prefix holding a hash tag (`{api}:`) puts every key on one node.
   */
  readonly prefix?: string;
  /** How long a connection slot outlives a crashed instance (default 15 s); live instances renew theirs every third of it. */
  readonly leaseMs?: number;
  /** Entries kept per stream (default 10,000); older ones are reported as lost on replay. */
  readonly historyRetention?: number;
  /**
   * Replicas that must hold an appended entry before it is acknowledged and shown live (default 0:
   * asynchronous replication). With 0, a primary that fails over can lose its last entries (a
   * client resuming across them is told, and their ids are not reused); with 1 or more, every
   * entry a client has seen is on a replica a failover can promote. The wait (Redis `WAIT`, on a
   * connection of its own) is bounded by half of `timeoutMs`; when the primary has fewer replicas
   * than this, appends stop waiting for 5 s before asking again.
   */
  readonly historyReplicas?: number;
  /** Longest a call may take before it fails (default 500 ms), so an upgrade never hangs on a dead Redis. */
  readonly timeoutMs?: number;
}

type Scripted = HistoryClient & {
  wsErrorsAcquire(key: string, limit: number, holder: string, leaseMs: number): Promise<number>;
  wsErrorsRenew(keys: number, ...keysThenArgs: (string | number)[]): Promise<number>;
  wsErrorsRenewOne(key: string, ...args: (string | number)[]): Promise<number>;
  wsErrorsHit(key: string, limit: number, windowMs: number): Promise<number>;
};

/** Holders renewed per script call: bounded, so thousands of open connections never build one huge call. */
const RENEW_BATCH = 1_000;

/**
 * {@link SharedState} on Redis, for several server instances behind a load balancer:
 * - connection slots in a sorted set per key, taken by an atomic script and held as leases that
 *   this process renews, so a crashed instance's slots free themselves within `leaseMs`;
 * - rate windows as O(1) sliding-window counters (one hash per bucket, expiring when idle);
 * - revocations published on a channel every instance subscribes to, and remembered in a key;
 * - stream history in Redis Streams with one sequence per stream (`INCR`, then `XADD <seq>-1`),
 *   trimmed to `historyRetention`, replayed with `XRANGE` and followed live with `XREAD BLOCK`.
 *
 * Keys and addresses never appear in Redis key names: they are hashed. Every call is bounded by
 * `timeoutMs`; what a policy does when it fails is the policy's `onStateError`.
 *
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { WsErrorServer, apiKey, attemptRate, connectionCap } from "@ws-errors/node";
 * import { redisState } from "@ws-errors/redis";
 *
 * const state = redisState({ client: new Redis(process.env.REDIS_URL!) });
 * new WsErrorServer({ codec, server, state, policies: [apiKey({ from: { bearer: true }, verify }), connectionCap({ perKey: 10 }), attemptRate({ per: "key", limit: 60 })] });
 * ```
 */
export function redisState(options: RedisStateOptions): SharedState {
  const prefix = options.prefix ?? "ws-errors:";
  const leaseMs = options.leaseMs ?? 15_000;
  const timeoutMs = options.timeoutMs ?? 500;
  // A connection of our own, with no offline queue: while Redis is away a call fails at once
  // instead of waiting, and nothing given up on (a slot taken after its upgrade failed open) runs
  // later when Redis is back.
  // Auto-pipelining batches the calls of concurrent upgrades into one write per tick.
  const client = duplicateOf(options.client, { enableOfflineQueue: false, enableAutoPipelining: true }) as Scripted;
  client.on("error", () => undefined);
  client.defineCommand("wsErrorsAcquire", { numberOfKeys: 1, lua: ACQUIRE });
  // The number of keys varies per call: given first (ioredis passes it on as EVALSHA's numkeys).
  client.defineCommand("wsErrorsRenew", { lua: RENEW });
  // The same script declared with one key, which is how a cluster routes it (and auto-pipelines
  // it with the other calls to that key's node): a varying key count hides the keys from both.
  client.defineCommand("wsErrorsRenewOne", { numberOfKeys: 1, lua: RENEW });
  client.defineCommand("wsErrorsHit", { numberOfKeys: 1, lua: HIT });
  client.defineCommand("wsErrorsAppend", { numberOfKeys: 3, lua: APPEND });
  const name = (kind: string, id: string) => `${prefix}${kind}:${createHash("sha256").update(id).digest("base64url").slice(0, 24)}`;
  const bounded = boundedCalls(client, timeoutMs);
  const listening = channels(options.client);
  const replicas = options.historyReplicas ?? 0;
  const writer = replicas > 0 ? (duplicateOf(options.client, { enableOfflineQueue: false, enableAutoPipelining: false }) as Scripted) : client;
  if (writer !== client) {
    writer.on("error", () => undefined);
    writer.defineCommand("wsErrorsAppend", { numberOfKeys: 3, lua: APPEND });
  }
  const history = redisHistory({
    client,
    writer,
    boundedWrite: writer === client ? bounded : boundedCalls(writer, timeoutMs),
    channels: listening,
    bounded,
    prefix,
    retention: options.historyRetention ?? 10_000,
    replicas,
    timeoutMs,
  });

  // Slots this process holds, renewed while it lives: one script call per interval for up to
  // RENEW_BATCH holders across all their keys (on a cluster, one per key), auto-pipelined.
  const held = new Map<string, Set<string>>();
  const renew = () => {
    let keys: string[] = [];
    let args: (string | number)[] = [];
    const flush = () => {
      if (keys.length === 1) client.wsErrorsRenewOne(keys[0] as string, leaseMs, ...args).catch(() => undefined);
      else if (keys.length > 1) client.wsErrorsRenew(keys.length, ...keys, leaseMs, ...args).catch(() => undefined);
      keys = [];
      args = [];
    };
    for (const [key, holders] of held) {
      if (options.client.isCluster) flush();
      // Where this key's holder count sits in `args`, once the key is in the current call.
      let countAt = -1;
      for (const holder of holders) {
        if (countAt < 0) {
          keys.push(key);
          countAt = args.push(0) - 1;
        }
        args.push(holder);
        (args[countAt] as number)++;
        if (args.length >= RENEW_BATCH) {
          flush();
          countAt = -1;
        }
      }
    }
    flush();
  };
  const renewal = setInterval(
    () => {
      renew();
      history.check();
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  );
  renewal.unref();
  // Back from an outage (Redis restarted empty, or away past the lease): register every slot
  // still held at once, so caps count the open connections again without waiting for an interval.
  let wasReady = false;
  client.on("ready", () => {
    if (wasReady) renew();
    wasReady = true;
  });
  // Releases on their way to Redis, which close() lets arrive before the connection goes.
  const releasing = new Set<Promise<unknown>>();

  const revokeListeners = new Set<(key: string) => void>();
  const channel = `${prefix}revocations`;
  let hearingRevocations = false;
  let closed = false;

  return {
    async acquire(key, limit, holder) {
      const slot = name("slots", key);
      let taken: boolean;
      try {
        taken = (await bounded("acquire", () => client.wsErrorsAcquire(slot, limit, holder, leaseMs))) === 1;
      } catch (error) {
        // The script may still run once a hung Redis answers: give the slot back right behind it,
        // on the same connection, so a slot whose upgrade already failed is never held.
        if (error instanceof StateTimeoutError) client.zrem(slot, holder).catch(() => undefined);
        throw error;
      }
      if (taken) {
        let set = held.get(slot);
        if (!set) held.set(slot, (set = new Set()));
        set.add(holder);
      }
      return taken;
    },
    async release(key, holder) {
      // close() gave back every slot still held, on the connection it was about to drop.
      if (closed) return;
      const slot = name("slots", key);
      const set = held.get(slot);
      if (set?.delete(holder) && set.size === 0) held.delete(slot);
      const call = bounded("release", () => client.zrem(slot, holder));
      releasing.add(call);
      await call.finally(() => releasing.delete(call));
    },
    async hit(bucket, limit, windowMs) {
      const wait = await bounded("hit", () => client.wsErrorsHit(name(`rate:${limit}/${windowMs}`, bucket), limit, windowMs));
      return wait < 0 ? undefined : wait;
    },
    async revoke(key, ttlMs = 24 * 3600_000) {
      await bounded("revoke", () => client.multi().set(name("revoked", key), "1", "PX", ttlMs).publish(channel, key).exec());
    },
    async isRevoked(key) {
      return (await bounded("isRevoked", () => client.exists(name("revoked", key)))) === 1;
    },
    onRevoke(listener) {
      revokeListeners.add(listener);
      if (!hearingRevocations) {
        hearingRevocations = true;
        listening.listen(channel, (key) => {
          for (const l of revokeListeners) l(key);
        });
      }
      return () => revokeListeners.delete(listener);
    },
    append: (stream, payload) => history.append(stream, payload),
    replay: (stream, after, max) => history.replay(stream, after, max),
    tail: (stream, listener) => history.tail(stream, listener),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(renewal);
      revokeListeners.clear();
      history.close();
      // Give back every slot this instance still holds, and let the releases already on their way
      // arrive before the connection goes: disconnecting at once dropped them, so a rolling restart
      // left its keys' slots held until their leases expired, and other instances refused those
      // keys' clients meanwhile. Bounded like every call, so close() never hangs.
      const giveBack = [...held].map(([slot, holders]) => client.zrem(slot, ...holders).catch(() => undefined));
      held.clear();
      if (client.status === "ready") await bounded("close", () => Promise.allSettled([...giveBack, ...releasing])).catch(() => undefined);
      // Our own connections only; the client passed in is the caller's.
      client.disconnect();
      if (writer !== client) writer.disconnect();
      listening.close();
    },
  };
}
