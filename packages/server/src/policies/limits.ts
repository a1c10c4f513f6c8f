import { addressKey } from "../address";
import type { Codec, WsError, WsErrorClass } from "@ws-errors/core";
import { choiceProblems, errorOfKind, mergeProblems as merge, withRetryAfter } from "../catalog";
import type { ServerConnection } from "../server-connection";
import type { ServerPolicy, UpgradeContext } from "../engine";
import { memoryState } from "../state/memory";
import { checkWindow, hitBucket, newBucket, type Bucket } from "../state/rate-window";
import type { Awaitable, OnStateError, SharedState } from "../state/shared-state";
import type { Logger } from "../redact";
import { unrefTimer } from "../transport";

/** An error of the given class, or the catalog's entry of the kind on the layer. */
export function build(
  codec: Codec<WsError>,
  ctor: WsErrorClass | undefined,
  kinds: Parameters<typeof errorOfKind>[1],
  layer: "upgrade" | "frame" | "close",
): WsError {
  if (ctor) return new ctor();
  const error = errorOfKind(codec, kinds, layer);
  if (!error) throw new Error(`catalog ${codec.catalog.name} has no ${String(kinds)} entry; pass one explicitly`);
  return error;
}

/**
 * A rate-limit error that says how long to wait: in its detail field where its entry's delay is
 * read from one (so a message template like "retry in {seconds} seconds" is filled, and the client
 * reads the wait back), and as `Retry-After` for an upgrade's answer.
 */
export function buildWait(codec: Codec<WsError>, ctor: WsErrorClass | undefined, layer: "upgrade" | "frame", waitMs: number): WsError {
  let error = build(codec, ctor, "rate-limited", layer);
  const delay = codec.entryOf(error)?.retry.delay;
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  if (delay && "field" in delay) {
    const now = Date.now();
    const value = { seconds, milliseconds: waitMs, "epoch-seconds": Math.ceil((now + waitMs) / 1000), "epoch-milliseconds": now + waitMs }[delay.unit];
    // Built again with the detail: a templated message is rendered from the details it is built with.
    error = new (error.constructor as WsErrorClass)({ details: { [delay.field]: value } });
  }
  return layer === "upgrade" ? withRetryAfter(error, seconds) : error;
}

export interface ConnectionCapOptions {
  /** Connections one key may hold at once. */
  readonly perKey: number;
  /**
   * `"shared"` (default): the cap holds across every instance sharing the server's state
   * (Collective2: 10 per key whichever instance a connection lands on). `"instance"`: each process
   * counts its own, even on a shared store (Esca: 5 per account per server instance).
   */
  readonly scope?: "shared" | "instance";
  /** When the shared state cannot answer: `"open"` (default) admits, `"closed"` refuses with the catalog's service-unavailable entry. */
  readonly onStateError?: OnStateError;
  /** Answer at the upgrade; default: the catalog's connection-limit entry with an upgrade layer. */
  readonly error?: WsErrorClass;
}

/**
 * Caps concurrent connections per key, exactly, even when upgrades race on several instances: a
 * slot is taken atomically in the server's shared state before the upgrade completes, and given
 * back when the connection ends (or the upgrade is refused or abandoned). Over the cap, the
 * upgrade is rejected with the catalog's HTTP answer; no key ever holds more than its cap.
 *
 * @example
 * ```ts
 * connectionCap({ perKey: 10 })                      // across instances, with @ws-errors/redis
 * connectionCap({ perKey: 5, scope: "instance" })    // per process
 * ```
 */
export function connectionCap(options: ConnectionCapOptions): ServerPolicy {
  const local = options.scope === "instance" ? memoryState() : undefined;
  const slotOf = (codec: Codec<WsError>, key: string) => `${codec.catalog.name}:cap:${key}`;
  return {
    name: "connection-cap",
    check: (codec) => choiceProblems(codec, "connection-cap", options.error),
    async upgrade(context) {
      const key = context.principal?.key;
      if (key === undefined) return;
      const state = local ?? context.server.state;
      const slot = slotOf(context.server.codec, key);
      const admitted = await guarded(context, options.onStateError ?? "open", "connection-cap", () => state.acquire(slot, options.perKey, context.id));
      if (admitted === false) throw build(context.server.codec, options.error, "connection-limit", "upgrade");
      if (admitted === undefined) return;
      // Until the connection opens; from then on `close` gives the slot back, so nothing of the
      // upgrade (a closure, the slot's name) stays with each connection for its life.
      context.onAbandon(releaser(state, slot, context.id, context.server.logger));
    },
    close(connection) {
      const key = connection.principal?.key;
      const server = connection.server;
      if (key === undefined || !server) return;
      // Releasing a slot this connection does not hold (the state was down at its upgrade) is a no-op.
      release(local ?? server.state, slotOf(connection.codec, key), connection.id, server.logger);
    },
  };
}

/* Gives a slot back; a failure is logged, and the slot's lease expires on its own. */
function release(state: SharedState, slot: string, id: string, logger: Logger): void {
  Promise.resolve()
    .then(() => state.release(slot, id))
    .catch((error: unknown) => logger.warn("connection-cap could not release a slot; its lease will expire", { error }));
}

/* Made outside `upgrade`: a closure made there would keep the whole upgrade context (the request,
   its URL) until it runs. */
function releaser(state: SharedState, slot: string, id: string, logger: Logger): () => void {
  return () => release(state, slot, id, logger);
}

/**
 * Runs a shared-state call for an upgrade check. A failure is logged; with `"closed"` the upgrade
 * is refused with the catalog's service-unavailable (or internal) entry, with `"open"` the check is
 * skipped (`undefined`).
 */
export async function guarded<T>(context: UpgradeContext, onError: OnStateError, policy: string, call: () => Awaitable<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    context.server.logger.warn(`${policy}: shared state unavailable; failing ${onError}`, { error });
    context.server.telemetry?.stateFailure(policy, (error as Error | undefined)?.name === "StateTimeoutError" ? "timeout" : "error", onError);
    if (onError === "open") return undefined;
    throw build(context.server.codec, undefined, ["service-unavailable", "internal"], "upgrade");
  }
}

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
  /**
   * With `per: "address"`, how many leading bits of an IPv6 address name one client (default 64:
   * a host holds a whole /64 and could rotate through it). IPv4-mapped addresses count as IPv4.
   */
  readonly ipv6Prefix?: number;
  /** When the shared state cannot answer: `"open"` (default) admits, `"closed"` refuses with the catalog's service-unavailable entry. */
  readonly onStateError?: OnStateError;
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
export function attemptRate(options: AttemptRateOptions): ServerPolicy {
  const windowMs = options.windowMs ?? 60_000;
  const per = options.per ?? "address";
  return {
    name: `attempt-rate:${per}`,
    check: (codec) => choiceProblems(codec, "attempt-rate", options.error),
    async upgrade(context) {
      const value = per === "address" ? addressKey(context.address, options.ipv6Prefix) : per === "key" ? context.principal?.key : "";
      if (value === undefined) return;
      const bucket = `${context.server.codec.catalog.name}:attempts:${per}:${value}`;
      const wait = await guarded(context, options.onStateError ?? "open", "attempt-rate", () => context.server.state.hit(bucket, options.limit, windowMs));
      if (wait !== undefined) throw buildWait(context.server.codec, options.error, "upgrade", wait);
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
   * abusive (default 10): the abuse error's frame, then its close (its browser fallback when its
   * entry has no close layer, else 1008).
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
export function messageRate(options: MessageRateOptions): ServerPolicy {
  const limit = options.limit;
  const windowMs = options.windowMs ?? 1000;
  const violationLimit = options.closeAfter ?? 10;
  const violationWindowMs = options.violationWindowMs ?? 10_000;
  checkWindow(limit, windowMs);
  checkWindow(violationLimit, violationWindowMs);
  // Each policy's counters live on the connection under symbols of its own: one pointer per
  // connection, gone with it, where a keyed window would need an id and an entry each.
  const messages = Symbol("messageRate.messages");
  const violations = Symbol("messageRate.violations");
  const paused = Symbol("messageRate.paused");
  const resume = (connection: ServerConnection) => {
    connection[paused] = undefined;
    if (connection.isOpen) connection.resume();
  };
  const pauseFor = (connection: ServerConnection, ms: number) => {
    // Where the runtime cannot pause a socket, frames over the limit keep being answered instead.
    if (connection[paused] || !connection.pause()) return;
    connection[paused] = true;
    connection.server?.telemetry?.policy("message-rate", "pause");
    // A few ms past the window's own answer: timers and Date.now() keep separate clocks, and a
    // resume a millisecond early would refuse the very frame the pause held back.
    unrefTimer(setTimeout(resume, ms + 5, connection));
  };
  return {
    name: "message-rate",
    check: (codec) => merge(choiceProblems(codec, "message-rate", options.error), choiceProblems(codec, "message-rate", options.closeError ?? options.error)),
    // The counters are made with the first frame: an idle connection holds none.
    inbound(connection) {
      const now = Date.now();
      const bucket = (connection[messages] ??= newBucket(now, windowMs)) as Bucket;
      const wait = hitBucket(bucket, limit, windowMs, now);
      if (wait === undefined) return;
      const abuse = (connection[violations] ??= newBucket(now, violationWindowMs)) as Bucket;
      if (hitBucket(abuse, violationLimit, violationWindowMs, now) !== undefined) {
        // Nothing more is read from an abusive client; it gets a second to read the close.
        const abuse = build(connection.codec, options.closeError ?? options.error, "rate-limited", "frame");
        connection.server?.telemetry?.policy("message-rate", "close", abuse);
        connection.fail(abuse, 1_000);
        connection.pause();
        return false;
      }
      pauseFor(connection, wait);
      throw buildWait(connection.codec, options.error, "frame", wait);
    },
  };
}
