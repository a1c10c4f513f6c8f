/** A value now, or later: the embedded store answers at once, a networked one asynchronously. */
export type Awaitable<T> = T | Promise<T>;

/** One message kept in a stream's history, with the sequence id the store gave it. */
export interface HistoryEntry {
  readonly seq: number;
  readonly payload: string;
}

/** What {@link SharedState.replay} found after a position. */
export interface Replay {
  /** The entries after the position, in order, at most `max`. */
  readonly entries: readonly HistoryEntry[];
  /**
   * Entries right after the position that are no longer kept (retention passed them, or a Redis
   * primary failed over before its replica had them): the client must be told of the gap, never
   * left with a silent hole.
   */
  readonly lost?: { readonly from: number; readonly to: number };
  /**
   * More entries exist past the last one returned: the replay limit was reached, or a hole follows
   * it, which a replay from the last entry reports as {@link lost}.
   */
  readonly more: boolean;
}

/**
 * The state that must be shared when several server instances serve one API: connection slots
 * (caps), rate windows (attempt and message limits), a revocation bus, and an append-only history
 * per stream with replay from a position. Policies and the server use only this interface, so the
 * embedded {@link memoryState} (one process) and `@ws-errors/redis` (any number of instances) are
 * interchangeable.
 *
 * Every method may throw or reject when the store is unreachable; each policy says whether it then
 * fails open (lets the connection in) or closed (refuses it with the catalog's
 * service-unavailable entry), and implementations bound every call with a timeout.
 *
 * @example
 * ```ts
 * import { WsErrorServer, memoryState } from "@ws-errors/node";
 * new WsErrorServer({ codec, server, state: memoryState() });   // the default
 * ```
 */
export interface SharedState {
  /**
   * Takes one of `limit` slots under `key` for `holder` (a connection id unique across instances);
   * `false` when all are taken. Atomic: racing acquisitions on several instances never exceed the
   * limit. Slots are leases that the implementation keeps alive while this process lives, so a
   * crashed instance's slots free themselves.
   */
  acquire(key: string, limit: number, holder: string): Awaitable<boolean>;
  /** Gives a slot back. */
  release(key: string, holder: string): Awaitable<void>;
  /**
   * Counts one hit in the sliding window of `bucket`; `undefined` when it is within `limit` per
   * `windowMs`, else the milliseconds until a hit would be admitted (the refused hit is not counted).
   */
  hit(bucket: string, limit: number, windowMs: number): Awaitable<number | undefined>;
  /** Revokes a key everywhere: every instance's {@link onRevoke} listeners hear it, and {@link isRevoked} answers true for `ttlMs`. */
  revoke(key: string, ttlMs?: number): Awaitable<void>;
  isRevoked(key: string): Awaitable<boolean>;
  /** Listens for revocations made by any instance (this one included); returns the unsubscribe. */
  onRevoke(listener: (key: string) => void): () => void;
  /** Appends to a stream's history; resolves with its sequence id, one sequence per stream across all instances. */
  append(stream: string, payload: string): Awaitable<number>;
  /** The entries after `after`, at most `max` and up to the first hole, and whether the ones right after `after` were lost. */
  replay(stream: string, after: number, max: number): Awaitable<Replay>;
  /** Calls `listener` with every entry appended to the stream from now on, by any instance, in order. */
  tail(stream: string, listener: (entry: HistoryEntry) => void): () => void;
  /** Gives back the slots this instance still holds (after the server has closed), then stops the timers and connections the state owns. */
  close(): Awaitable<void>;
}

/** How a policy behaves when the shared state cannot answer. */
export type OnStateError = "open" | "closed";
