import type { Decoder } from "./codec";
import type { Decision, ReconnectOptions } from "./decide";
import type { WsError } from "./errors";
import type { SessionTelemetry } from "./telemetry";

/* The public shapes of the client session: what it runs over, what it reports, what it is given. */

/* Handlers take `any`: handler properties are checked contravariantly, so the browser's and ws's
   own event types (Event, MessageEvent, CloseEvent) must be assignable here. */
// biome-ignore lint/suspicious/noExplicitAny: a socket's handler takes whatever event its runtime passes
type Handler<E> = ((event: E & any) => void) | null;

/**
 * The part of the WebSocket API a session uses: the browser's, which `ws` implements too. With
 * `ws`, a refused upgrade's status, headers and body are read from `unexpected-response`.
 */
export interface SocketLike {
  readonly readyState: number;
  onopen: Handler<unknown>;
  onmessage: Handler<{ data: unknown }>;
  onclose: Handler<{ code: number; reason: string }>;
  onerror: Handler<{ error?: unknown; message?: string }>;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: a refused upgrade, with its response. */
  on?(event: "unexpected-response", listener: (request: unknown, response: UpgradeResponseLike) => void): unknown;
}

export interface UpgradeResponseLike {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end", listener: () => void): unknown;
}

/** Where a session is. `reason` is the error that led to a reconnect or the end; `cause`, the transport failure behind it. */
export interface SessionState {
  readonly status: "idle" | "connecting" | "open" | "reconnecting" | "closed";
  readonly reason?: WsError;
  readonly attempt?: number;
  /** What the transport reported (connection refused, DNS, TLS, reset), when it did. */
  readonly cause?: unknown;
}

/** What a session reports; facades turn these into events or observables. */
export interface SessionListener<E extends WsError = WsError> {
  state?(state: SessionState): void;
  /** The connection is open, at this URL (it may have changed with refreshed credentials). */
  open?(url: string): void;
  /** A data frame, parsed (text that is not JSON, and binary data, as received). */
  message?(value: unknown): void;
  /** Every failure, typed, from the upgrade, frames and closes. */
  error?(error: E | WsError): void;
  decision?(decision: Decision): void;
  reconnecting?(info: { readonly attempt: number; readonly delayMs: number; readonly action: Decision["action"] }): void;
  resumed?(info: { readonly from: number | string | undefined }): void;
  close?(info: { readonly code: number; readonly reason: string }): void;
  /** The backoff's limit (`maxAttempts`, `maxElapsedMs`) was reached: the session stops. */
  gaveUp?(info: { readonly attempts: number; readonly elapsedMs: number; readonly error: WsError }): void;
  /** The session is over, for good: with the error that ended it, if one did. */
  end?(error: WsError | undefined): void;
  /** A user hook (resume, refresh) failed. */
  hookError?(error: unknown): void;
}

/** Why a `resubscribe` hook is called: an error scoped to a subscription, or a new connection. */
export type ResubscribeEvent<E extends WsError = WsError> =
  | { readonly reason: "error"; readonly error: E | WsError }
  | { readonly reason: "reconnect"; readonly error: WsError | undefined };

/**
 * Where a session connects: a URL, or a function asked before every attempt (APIs that hand out
 * a fresh socket URL per connection from an HTTP call). `attempt` is 0 for the first connection.
 */
export type UrlSource = string | ((attempt: number) => string | Promise<string>);

export interface SessionOptions<E extends WsError = WsError> {
  /** The catalog's decoder (a full codec is one too). */
  readonly codec: Decoder<E>;
  /** Opens a socket for a URL; the facades give the platform's (`ws`, or the browser's `WebSocket`). */
  readonly createSocket: (url: string) => SocketLike;
  /** Reconnection backoff and its limits; `false` never reconnects. */
  readonly reconnect?: ReconnectOptions | false;
  /** After a `resume` reconnect: re-subscribe from the last sequence id seen. Replays at or below it are dropped. */
  readonly resume?: (lastSequence: number | string | undefined) => void | Promise<void>;
  /** On `refresh-credentials`: what to reconnect with. Without it, such errors stop the session. */
  readonly refreshCredentials?: (error: E | WsError) => Promise<{ readonly url?: string } | void>;
  /**
   * On `reauthenticate`: authenticate again on the open connection (send a fresh token), without
   * reconnecting; a request the error answered is sent again once it resolves. Without it, such a
   * frame waits for the close that follows, and a close refreshes the credentials to reconnect with.
   */
  readonly reauthenticate?: (error: E | WsError) => void | Promise<void>;
  /**
   * Subscribe again: on `resubscribe` (an error scoped to a channel or subscription, the connection
   * still open), and after every reconnect that does not resume (a stream without sequence ids, or
   * a plain reconnect), when whatever the client had subscribed to is gone.
   */
  readonly resubscribe?: (event: ResubscribeEvent<E>) => void | Promise<void>;
  /** Overrides a decision: return another, or `undefined` to keep the catalog's. */
  readonly decide?: (error: E | WsError, proposed: Decision) => Decision | undefined;
  /** How long a request waits for its answer, including any wait for the connection to open (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** Retries of a request answered with `retry-later` (default 3). */
  readonly maxMessageRetries?: number;
  /** Delay for `retry-later` when the error carries none (default 1 s). */
  readonly defaultRetryMs?: number;
  /** Messages sent before the connection opens wait in a queue of at most this many (default 100); more fail at once. */
  readonly maxQueued?: number;
  /**
   * Metrics of this client ({@link clientMetrics} over an OpenTelemetry meter): errors, decisions,
   * reconnects and recovery time, resumes, duplicates dropped, requests and their latency.
   */
  readonly telemetry?: SessionTelemetry;
  /**
   * Where delays run (a test scheduler, say). Default `setTimeout`: a Node process is kept alive
   * while a request waits for its answer (within its timeout), never by an idle client.
   */
  readonly schedule?: (ms: number, run: () => void) => () => void;
}

/** Why a request failed without a catalog error. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly reason: "timeout" | "closed",
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RequestError";
  }
}

/** Marks catalog errors whose directive the session already carried out, so `retryByCatalog` never repeats it. */
export const HANDLED = Symbol.for("ws-errors.handled");

/** Whether a session already applied the catalog's directive to this error (retried it, or gave up). */
export function isHandled(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[HANDLED] === true;
}
