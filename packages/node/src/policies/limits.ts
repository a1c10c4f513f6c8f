import type { Codec, WsError, WsErrorClass } from "@ws-errors/core";
import { errorOfKind, withRetryAfter } from "../catalog";
import type { ServerConnection } from "../connection";
import { RateWindow } from "../rate-window";
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

export interface AttemptRateOptions {
  /** Upgrade attempts allowed per window. */
  readonly limit: number;
  /** Default one minute. */
  readonly windowMs?: number;
  /**
   * What one window counts. `"address"` (default): each client address, so nobody can spend
   * another network's budget. `"key"`: each authenticated key; place it after `apiKey`, so only
   * attempts that proved the key spend its budget (unauthenticated attempts are not counted here).
   * `"global"`: every attempt together, a ceiling for the whole server that should sit well above
   * the per-address limit, since anyone can spend it.
   */
  readonly per?: "address" | "key" | "global";
  readonly error?: WsErrorClass;
}

/**
 * Limits connection attempts per window; over it, the upgrade is rejected with the catalog's
 * rate-limited entry and a `Retry-After` of the seconds until the window frees a slot. Counting
 * is O(1) per attempt (a sliding-window counter) and idle buckets expire, so a storm of random
 * addresses or keys cannot grow memory without bound.
 *
 * Tiers are separate policies, in order: per address before the key check (cheap refusals for a
 * noisy network), per key after it (an account's own budget, which bad keys never touch), and a
 * global ceiling if you want one.
 *
 * @example
 * ```ts
 * policies: [
 *   attemptRate({ per: "address", limit: 60 }),       // each client address
 *   apiKey({ from: { header: "x-api-key" }, verify }),
 *   attemptRate({ per: "key", limit: 60 }),           // Esca: 60 attempts a minute per account
 * ]
 * ```
 */
export function attemptRate(options: AttemptRateOptions): Policy {
  const window = new RateWindow({ limit: options.limit, windowMs: options.windowMs ?? 60_000 });
  const per = options.per ?? "address";
  return {
    name: `attempt-rate:${per}`,
    upgrade(context) {
      const bucket = per === "address" ? context.address : per === "key" ? context.principal?.key : "";
      if (bucket === undefined) return;
      const wait = window.hit(bucket);
      if (wait !== undefined) throw withRetryAfter(build(context.server.codec, options.error, "rate-limited", "upgrade"), wait);
    },
  };
}

export interface MessageRateOptions {
  /** Frames one connection may send per window, counted before parsing: malformed ones too. */
  readonly limit: number;
  /** Default one second. */
  readonly windowMs?: number;
  /** The answer to a frame over the limit; default the catalog's rate-limited entry with a frame layer. */
  readonly error?: WsErrorClass;
  /**
   * Frames over the limit, within `violationWindowMs`, after which the connection is closed as
   * abusive (default 10): the abuse error's frame, then its close (1008 when its entry has none).
   */
  readonly closeAfter?: number;
  /** Default ten seconds. */
  readonly violationWindowMs?: number;
  /** What closes an abusive connection; default `error`. */
  readonly closeError?: WsErrorClass;
}

/**
 * Limits the frames a connection may send, counting every frame before any work is done for it
 * (malformed, binary, unknown commands alike). A frame over the limit is answered with the
 * catalog's rate-limited error (echoing its request id) and not handled, and the connection's
 * reading is paused until the window has room again, so a flood waits in the sender's own
 * buffers. After `closeAfter` violations in `violationWindowMs` the connection is closed with the
 * catalog's error, as real APIs escalate.
 *
 * @example
 * ```ts
 * messageRate({ limit: 20, windowMs: 1000, closeAfter: 10 })
 * ```
 */
export function messageRate(options: MessageRateOptions): Policy {
  const messages = new RateWindow({ limit: options.limit, windowMs: options.windowMs ?? 1000 });
  const violations = new RateWindow({ limit: options.closeAfter ?? 10, windowMs: options.violationWindowMs ?? 10_000 });
  const ids = new WeakMap<ServerConnection, string>();
  const paused = new WeakSet<ServerConnection>();
  let next = 0;
  const pauseFor = (connection: ServerConnection, ms: number) => {
    if (paused.has(connection)) return;
    paused.add(connection);
    connection.socket.pause();
    setTimeout(() => {
      paused.delete(connection);
      if (connection.isOpen) connection.socket.resume();
    }, ms).unref();
  };
  return {
    name: "message-rate",
    open(connection) {
      ids.set(connection, String(next++));
    },
    inbound(connection) {
      const id = ids.get(connection) ?? "";
      const wait = messages.hitMs(id);
      if (wait === undefined) return;
      if (violations.hit(id) !== undefined) {
        connection.fail(build(connection.codec, options.closeError ?? options.error, "rate-limited", "frame"));
        // Nothing more is read from an abusive client; it gets a moment to read the close.
        connection.socket.pause();
        setTimeout(() => connection.socket.terminate(), 1_000).unref();
        return false;
      }
      pauseFor(connection, wait);
      throw build(connection.codec, options.error, "rate-limited", "frame");
    },
    close(connection) {
      const id = ids.get(connection) ?? "";
      messages.forget(id);
      violations.forget(id);
    },
  };
}
