import type { Codec, WsError, WsErrorClass } from "@ws-errors/core";
import { errorOfKind, withRetryAfter } from "../catalog";
import type { ServerConnection } from "../connection";
import type { Policy } from "../server";

/** An error of the given class, or the catalog's entry of the kind on the layer. */
export function build(codec: Codec<WsError>, ctor: WsErrorClass | undefined, kinds: Parameters<typeof errorOfKind>[1], layer: "upgrade" | "frame" | "close"): WsError {
  if (ctor) return new (ctor as unknown as new () => WsError)();
  const error = errorOfKind(codec, kinds, layer);
  if (!error) throw new Error(`catalog ${codec.catalog.name} has no ${String(kinds)} entry; pass one explicitly`);
  return error;
}

export interface ConnectionCapOptions {
  /** Connections one key may hold at once. */
  readonly perKey: number;
  /** Answer at the upgrade; default: the catalog's connection-limit entry with an upgrade layer. */
  readonly error?: WsErrorClass;
  /** Close for a connection that lost a race after the upgrade; default: the connection-limit entry with a close layer. */
  readonly raceError?: WsErrorClass;
}

/**
 * Caps concurrent connections per key, exactly, even when upgrades race. The upgrade check
 * rejects with the catalog's HTTP answer once the key is at its cap; two upgrades that pass it at
 * the same moment are settled when each connection opens, and the loser is closed at once with
 * the catalog's close (Collective2: 1008, no frame). No key ever holds more than its cap.
 *
 * @example
 * ```ts
 * connectionCap({ perKey: 10 })
 * ```
 */
export function connectionCap(options: ConnectionCapOptions): Policy {
  const open = new Map<string, number>();
  const key = (connection: ServerConnection) => connection.principal?.key;
  return {
    name: "connection-cap",
    upgrade(context) {
      const k = context.principal?.key;
      if (k !== undefined && (open.get(k) ?? 0) >= options.perKey) throw build(context.server.codec, options.error, "connection-limit", "upgrade");
    },
    open(connection) {
      const k = key(connection);
      if (k === undefined) return;
      const count = open.get(k) ?? 0;
      if (count >= options.perKey) {
        throw build(connection.codec, options.raceError, "connection-limit", "close");
      }
      open.set(k, count + 1);
      connection.state.set(CAPPED, true);
    },
    close(connection) {
      const k = key(connection);
      if (k === undefined || connection.state.get(CAPPED) !== true) return;
      const count = (open.get(k) ?? 1) - 1;
      if (count <= 0) open.delete(k);
      else open.set(k, count);
    },
  };
}
const CAPPED = Symbol("connection-cap.counted");

/** Timestamps in a sliding window, per bucket; memory stays bounded by `limit` per live bucket. */
class SlidingWindow {
  private readonly buckets = new Map<string, number[]>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records a hit; the seconds to wait when over the limit, else undefined. */
  hit(bucket: string, now = Date.now()): number | undefined {
    const since = now - this.windowMs;
    const times = (this.buckets.get(bucket) ?? []).filter((t) => t > since);
    if (times.length >= this.limit) {
      this.buckets.set(bucket, times);
      return Math.max(1, Math.ceil(((times[0] as number) + this.windowMs - now) / 1000));
    }
    times.push(now);
    this.buckets.set(bucket, times);
    return undefined;
  }

  forget(bucket: string): void {
    this.buckets.delete(bucket);
  }
}

export interface AttemptRateOptions {
  /** Upgrade attempts allowed per window. */
  readonly limit: number;
  /** Default one minute. */
  readonly windowMs?: number;
  /** Count all attempts together (Esca's global limit) or per key. Default global. */
  readonly per?: "global" | "key";
  readonly error?: WsErrorClass;
}

/**
 * Limits connection attempts per window; over it, the upgrade is rejected with the catalog's
 * rate-limited entry and a `Retry-After` of the seconds until the window frees a slot.
 *
 * @example
 * ```ts
 * attemptRate({ limit: 60 })  // Esca: 60 connection attempts a minute
 * ```
 */
export function attemptRate(options: AttemptRateOptions): Policy {
  const window = new SlidingWindow(options.limit, options.windowMs ?? 60_000);
  return {
    name: "attempt-rate",
    upgrade(context) {
      const bucket = options.per === "key" ? (context.principal?.key ?? "") : "";
      const wait = window.hit(bucket);
      if (wait !== undefined) throw withRetryAfter(build(context.server.codec, options.error, "rate-limited", "upgrade"), wait);
    },
  };
}

export interface MessageRateOptions {
  readonly limit: number;
  /** Default one second. */
  readonly windowMs?: number;
  readonly error?: WsErrorClass;
}

/**
 * Limits messages per connection; a message over the limit is answered with the catalog's
 * rate-limited error frame (echoing its request id) and not handled. The connection stays open.
 *
 * @example
 * ```ts
 * messageRate({ limit: 20, windowMs: 1000 })
 * ```
 */
export function messageRate(options: MessageRateOptions): Policy {
  const window = new SlidingWindow(options.limit, options.windowMs ?? 1000);
  const ids = new WeakMap<ServerConnection, string>();
  let next = 0;
  return {
    name: "message-rate",
    open(connection) {
      ids.set(connection, String(next++));
    },
    message(connection) {
      const id = ids.get(connection) ?? "";
      if (window.hit(id) !== undefined) {
        throw build(connection.codec, options.error, "rate-limited", "frame");
      }
    },
    close(connection) {
      window.forget(ids.get(connection) ?? "");
    },
  };
}
