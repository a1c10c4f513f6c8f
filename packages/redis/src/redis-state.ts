import { createHash } from "node:crypto";
import type { HistoryEntry, Replay, SharedState } from "@ws-errors/node";
import type { Redis } from "ioredis";
import { ACQUIRE, APPEND, HIT, RENEW } from "./scripts";

export interface RedisStateOptions {
  /** An ioredis client to copy the connection options from: the state opens its own connections (commands, subscriber, blocking reader) and closes only those. */
  readonly client: Redis;
  /** Prefix of every key and channel (default `ws-errors:`), so several APIs can share one Redis. */
  readonly prefix?: string;
  /** How long a connection slot outlives a crashed instance (default 15 s); live instances renew theirs every third of it. */
  readonly leaseMs?: number;
  /** Entries kept per stream (default 10,000); older ones are reported as lost on replay. */
  readonly historyRetention?: number;
  /** Longest a call may take before it fails (default 500 ms), so an upgrade never hangs on a dead Redis. */
  readonly timeoutMs?: number;
}

type Scripted = Redis & {
  wsErrorsAcquire(key: string, limit: number, holder: string, leaseMs: number): Promise<number>;
  wsErrorsRenew(key: string, leaseMs: number, ...holders: string[]): Promise<number>;
  wsErrorsHit(key: string, limit: number, windowMs: number): Promise<number>;
  wsErrorsAppend(stream: string, counter: string, payload: string, retention: number): Promise<number>;
};

/** Thrown when Redis does not answer within `timeoutMs`. */
export class StateTimeoutError extends Error {
  constructor(operation: string, ms: number) {
    super(`Redis did not answer ${operation} within ${ms} ms`);
    this.name = "StateTimeoutError";
  }
}

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
  const retention = options.historyRetention ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 500;
  // A connection of our own, with no offline queue: while Redis is away a call fails at once
  // instead of waiting, and nothing given up on (a slot taken after its upgrade failed open) runs
  // later when Redis is back.
  // Auto-pipelining batches the calls of concurrent upgrades into one write per tick.
  const client = options.client.duplicate({ enableOfflineQueue: false, enableAutoPipelining: true }) as Scripted;
  client.on("error", () => undefined);
  client.defineCommand("wsErrorsAcquire", { numberOfKeys: 1, lua: ACQUIRE });
  client.defineCommand("wsErrorsRenew", { numberOfKeys: 1, lua: RENEW });
  client.defineCommand("wsErrorsHit", { numberOfKeys: 1, lua: HIT });
  client.defineCommand("wsErrorsAppend", { numberOfKeys: 2, lua: APPEND });
  const name = (kind: string, id: string) => `${prefix}${kind}:${createHash("sha256").update(id).digest("base64url").slice(0, 24)}`;
  const streamKey = (stream: string) => `${prefix}stream:${stream}`;
  // The first connection is awaited (bounded); a lost one fails the call at once.
  const ready = (): Promise<void> => {
    if (client.status === "ready") return Promise.resolve();
    if (client.status !== "wait" && client.status !== "connecting" && client.status !== "connect")
      return Promise.reject(new Error(`Redis is ${client.status}`));
    if (client.status === "wait") void client.connect().catch(() => undefined);
    return new Promise((resolve) => client.once("ready", () => resolve()));
  };
  const bounded = <T>(operation: string, call: () => Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StateTimeoutError(operation, timeoutMs)), timeoutMs);
    });
    return Promise.race([ready().then(call), timeout]).finally(() => clearTimeout(timer));
  };

  // Slots this process holds, renewed while it lives.
  const held = new Map<string, Set<string>>();
  const renewal = setInterval(
    () => {
      for (const [key, holders] of held) {
        if (holders.size > 0) client.wsErrorsRenew(key, leaseMs, ...holders).catch(() => undefined);
      }
    },
    Math.max(100, Math.floor(leaseMs / 3)),
  );
  renewal.unref();

  let subscriber: Redis | undefined;
  const revokeListeners = new Set<(key: string) => void>();
  const channel = `${prefix}revocations`;

  let reader: Redis | undefined;
  interface Tail {
    /** The last id delivered; undefined until the stream's current end is known. */
    last: string | undefined;
    readonly listeners: Set<(entry: HistoryEntry) => void>;
  }
  const tails = new Map<string, Tail>();
  let reading = false;
  let closed = false;
  const readLoop = async () => {
    if (reading) return;
    reading = true;
    reader ??= options.client.duplicate();
    reader.on("error", () => undefined);
    while (!closed && tails.size > 0) {
      const names = [...tails.keys()].filter((n) => tails.get(n)?.last !== undefined);
      if (names.length === 0) break;
      try {
        const result = (await reader.xread(
          "COUNT",
          1000,
          "BLOCK",
          500,
          "STREAMS",
          ...names.map(streamKey),
          ...names.map((n) => tails.get(n)?.last as string),
        )) as [string, [string, string[]][]][] | null;
        for (const [key, entries] of result ?? []) {
          const tail = tails.get(key.slice(streamKey("").length));
          if (!tail) continue;
          for (const [id, fields] of entries) {
            tail.last = id;
            const entry = { seq: Number.parseInt(id, 10), payload: fields[1] ?? "" };
            for (const listener of tail.listeners) listener(entry);
          }
        }
      } catch {
        // Redis away: try again shortly, from the last id seen, so nothing appended meanwhile is missed.
        if (!closed) await new Promise((r) => setTimeout(r, 250));
      }
    }
    reading = false;
  };

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
      await bounded("release", () => client.zrem(slot, holder));
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
      if (!subscriber) {
        subscriber = options.client.duplicate();
        subscriber.on("message", (from: string, key: string) => {
          if (from === channel) for (const l of revokeListeners) l(key);
        });
        subscriber.on("error", () => undefined);
        void subscriber.subscribe(channel).catch(() => undefined);
      }
      return () => revokeListeners.delete(listener);
    },
    async append(stream, payload) {
      const key = streamKey(stream);
      return Number(await bounded("append", () => client.wsErrorsAppend(key, `${key}:seq`, payload, retention)));
    },
    async replay(stream, after, max): Promise<Replay> {
      const key = streamKey(stream);
      const toEntry = ([id, fields]: [string, string[]]): HistoryEntry => ({ seq: Number.parseInt(id, 10), payload: fields[1] ?? "" });
      const range = await bounded("replay", () => client.xrange(key, `${after + 1}-0`, "+", "COUNT", max + 1));
      const entries = (range.length > max ? range.slice(0, max) : range).map(toEntry);
      // The usual resume finds the very next entry: nothing was lost, one round trip.
      if (entries[0]?.seq === after + 1) return { entries, more: range.length > max };
      const [first, counter] = await bounded("replay", () => Promise.all([client.xrange(key, "-", "+", "COUNT", 1), client.get(`${key}:seq`)]));
      const firstSeq = first[0] ? Number.parseInt(first[0][0], 10) : Number(counter ?? 0) + 1;
      const lost = after + 1 < firstSeq ? { from: after + 1, to: firstSeq - 1 } : undefined;
      return { entries, more: range.length > max, ...(lost && { lost }) };
    },
    tail(stream, listener) {
      let tail = tails.get(stream);
      if (tail) {
        tail.listeners.add(listener);
      } else {
        const created: Tail = { last: undefined, listeners: new Set([listener]) };
        tails.set(stream, (tail = created));
        // "$" must become a real id before the first read: entries appended between two reads
        // would otherwise be skipped.
        const from = (id: string) => {
          created.last = id;
          void readLoop();
        };
        // Until Redis answers, the tail waits: starting from the beginning would replay everything.
        const findEnd = () => {
          if (closed || tails.get(stream) !== created) return;
          bounded("tail", () => client.xrevrange(streamKey(stream), "+", "-", "COUNT", 1)).then(
            (latest) => from(latest[0]?.[0] ?? "0-0"),
            () => setTimeout(findEnd, 250).unref(),
          );
        };
        findEnd();
      }
      const own = tail;
      return () => {
        own.listeners.delete(listener);
        if (own.listeners.size === 0 && tails.get(stream) === own) tails.delete(stream);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(renewal);
      revokeListeners.clear();
      tails.clear();
      // Give back every slot this instance still holds, and let what is queued (a release made just
      // before, auto-pipelined to the next tick) reach Redis before the connection goes: disconnecting
      // at once dropped them, so a rolling restart left its keys' slots held until their leases
      // expired, and other instances refused those keys' clients meanwhile. The PING is answered
      // after everything queued before it; bounded like every call, so close() never hangs.
      const giveBack = [...held].map(([slot, holders]) => client.zrem(slot, ...holders).catch(() => undefined));
      held.clear();
      if (client.status === "ready") await bounded("close", () => Promise.all([...giveBack, client.ping()])).catch(() => undefined);
      // Our own connections only; the client passed in is the caller's.
      client.disconnect();
      subscriber?.disconnect();
      reader?.disconnect();
    },
  };
}
