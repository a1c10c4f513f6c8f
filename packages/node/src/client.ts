import { EventEmitter } from "node:events";
import {
  ClientSession,
  clientMetrics,
  clientTraces,
  combineTelemetry,
  RequestError,
  type Decision,
  type MeterLike,
  type TracerLike,
  type Decoder,
  type ReconnectOptions,
  type ResubscribeEvent,
  type SessionState,
  type SocketLike,
  type UncataloguedError,
  type UrlSource,
  type WsError,
  REFUSAL_HINT_HEADER,
} from "@ws-errors/core";
import { WebSocket, type ClientOptions } from "ws";
import { globalMeter, globalTracer } from "@ws-errors/server";

export type { Decision };
export { RequestError };

export type ClientState = SessionState["status"];

/** A standard (WHATWG) WebSocket constructor: Node 22's global `WebSocket`, Bun's, Deno's, undici's. */
export type StandardWebSocket = new (url: string, protocols?: string | string[]) => object;

export interface ConnectOptions<E extends WsError = WsError> {
  /** The catalog's decoder (`<catalog>Decoder`) or its full codec. */
  readonly codec: Decoder<E>;
  /** Options for `ws` (headers, protocols, agent...). */
  readonly ws?: ClientOptions;
  /**
   * Opens sockets with this standard WebSocket instead of `ws` (Node 22's global `WebSocket`,
   * Bun's, Deno's). A standard socket sends none of your headers (credentials go in the URL or a
   * first message) and cannot read a refused upgrade's answer: it asks the server for the
   * catalog's browser fallback close instead (`ws-errors-refusal: close`, honoured by ws-errors
   * servers by default), which tells the client the error, as in browsers.
   */
  readonly WebSocket?: StandardWebSocket;
  /** Reconnection backoff and its limits (`maxAttempts`, `maxElapsedMs`); `false` never reconnects. */
  readonly reconnect?: ReconnectOptions | false;
  /**
   * Called after a reconnect that the `resume` directive asked for, with the last sequence id seen:
   * re-subscribe from there (Collective2: `resume_from`). Messages at or below it are dropped, so
   * nothing arrives twice.
   */
  // biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
  readonly resume?: (lastSequence: number | string | undefined, client: WsErrorClient<E, any>) => void | Promise<void>;
  /** Called on `refresh-credentials`; resolves with what to reconnect with. Without it, the client stops. */
  readonly refreshCredentials?: (error: E | WsError) => Promise<{ readonly url?: string; readonly ws?: ClientOptions }>;
  /**
   * Called on `reauthenticate`: send what authenticates again on the open connection (a fresh
   * token); a request the error answered goes out again once it resolves.
   */
  // biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
  readonly reauthenticate?: (error: E | WsError, client: WsErrorClient<E, any>) => void | Promise<void>;
  /**
   * Called on `resubscribe` (an error scoped to a channel or subscription) and after every
   * reconnect that does not resume: subscribe again to what the client had.
   */
  // biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
  readonly resubscribe?: (event: ResubscribeEvent<E>, client: WsErrorClient<E, any>) => void | Promise<void>;
  /** Overrides a decision: return a different one, or `undefined` to keep the catalog's. */
  readonly decide?: (error: E | WsError, proposed: Decision) => Decision | undefined;
  /** How long `request()` waits for its answer, a wait for the connection included (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** How often `request()` retries a message answered with `retry-later` (default 3). */
  readonly maxMessageRetries?: number;
  /** Delay for `retry-later` when the error carries none (default 1 s). */
  readonly defaultRetryMs?: number;
  /**
   * Where the client's metrics go (errors received, decisions, reconnects and time to recover,
   * resumes, duplicates dropped, requests and their latency, gave-ups): an OpenTelemetry meter, or
   * `false` for none. Default: `@opentelemetry/api`'s global meter when the application installed
   * the API and registered an SDK before connecting; otherwise nothing is recorded.
   */
  readonly metrics?: MeterLike | false;
  /**
   * Where the client's spans go (one per request, the catalog error that answered it recorded): an
   * OpenTelemetry tracer, or `false`. Default: the global tracer provider's, when one is registered.
   */
  readonly tracing?: TracerLike | false;
}

/** The client's events and what each listener receives. */
/* Data frames are `any` unless the second type parameter says what the API sends: a listener may
   annotate its own shape, as with `ws`. */
// biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
export interface ClientEvents<E extends WsError = WsError, T = any> {
  /** Open, at this URL. */
  open: [url: string];
  /** A data frame, parsed. */
  message: [value: T];
  /** A typed error from the upgrade, a frame or a close. Not Node's `error` event: `once(client, "stopped")` never rejects on one. */
  "catalog-error": [error: E | UncataloguedError];
  /** What the client does about an error. */
  decision: [decision: Decision];
  state: [state: SessionState];
  reconnecting: [info: { readonly attempt: number; readonly delayMs: number; readonly action: Decision["action"] }];
  resumed: [info: { readonly from: number | string | undefined }];
  close: [info: { readonly code: number; readonly reason: string }];
  /** The backoff's limit was reached; `stopped` follows. */
  "gave-up": [info: { readonly attempts: number; readonly elapsedMs: number; readonly error: WsError }];
  /** The client will not reconnect: with the error that ended it, if one did. */
  stopped: [error: WsError | undefined];
  /** A `resume` or `refreshCredentials` hook failed. */
  "hook-error": [error: unknown];
}

type Listener<E extends WsError, T, K extends keyof ClientEvents<E, T>> = (...args: ClientEvents<E, T>[K]) => void;

/* Typed events: an unknown event name or a mistyped listener does not compile. */
// biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
export interface WsErrorClient<E extends WsError = WsError, T = any> {
  on<K extends keyof ClientEvents<E, T>>(event: K, listener: Listener<E, T, K>): this;
  once<K extends keyof ClientEvents<E, T>>(event: K, listener: Listener<E, T, K>): this;
  off<K extends keyof ClientEvents<E, T>>(event: K, listener: Listener<E, T, K>): this;
  emit<K extends keyof ClientEvents<E, T>>(event: K, ...args: ClientEvents<E, T>[K]): boolean;
}

/**
 * A WebSocket client on `ws` that reports every failure as a typed catalog error and lets the
 * catalog decide what happens next; the Node face of core's `ClientSession`. Typed errors arrive
 * on `catalog-error`, never on Node's `error` event, so no listener is required and
 * `await once(client, "stopped")` is safe. Iterate it for its data frames.
 *
 * @example
 * ```ts
 * import { connect } from "@ws-errors/node";
 * import { collective2 } from "@ws-errors/core/catalogs/collective2";
 *
 * const client = connect("wss://api.example/ws", {
 *   codec: collective2,
 *   ws: { headers: { authorization: `Bearer ${key}` } },
 *   resume: (seq, c) => c.send({ msg_type: "subscription.request", payload: { action: "subscribe", channel: "strategy.signal", strategy_id: 1, resume_from: String(seq ?? 0) } }),
 * });
 * client.on("catalog-error", (error) => console.log(error.kind, error.retry.directive));
 * for await (const message of client) console.log(message);
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface types the events the class emits
export class WsErrorClient<E extends WsError = WsError, T = any> extends EventEmitter {
  private readonly session: ClientSession<E>;
  private wsOptions: ClientOptions | undefined;
  private readonly queue: T[] = [];
  private readonly waiters: ((result: IteratorResult<T, undefined>) => void)[] = [];
  /* Messages are buffered for iteration only while an iterator exists: a client read through
     `message` events alone must not keep every message it ever received. */
  private iterators = 0;

  constructor(
    url: UrlSource,
    readonly options: ConnectOptions<E>,
  ) {
    super();
    // Headers and agents are ws's: a standard WebSocket has no place for them.
    if (options.WebSocket && options.ws)
      throw new TypeError("connect(): `ws` options (headers, agent...) cannot go through a standard `WebSocket`; pass one or the other");
    this.wsOptions = options.ws;
    const { refreshCredentials: refresh, reauthenticate, resubscribe, metrics, tracing, WebSocket: standard, ...shared } = options;
    const meter = metrics === false ? undefined : (metrics ?? globalMeter("@ws-errors/node"));
    const tracer = tracing === false ? undefined : (tracing ?? globalTracer("@ws-errors/node"));
    const catalog = options.codec.catalog.name;
    const telemetry = [...(meter ? [clientMetrics(meter, catalog)] : []), ...(tracer ? [clientTraces(tracer, catalog)] : [])];
    this.session = new ClientSession<E>(
      url,
      {
        ...shared,
        createSocket: standard ? (target) => standardSocket(standard, target) : (target) => wsSocket(target, this.wsOptions),
        ...(telemetry[0] && { telemetry: combineTelemetry(telemetry[0], ...telemetry.slice(1)) }),
        resume: (seq) => options.resume?.(seq, this),
        ...(reauthenticate && { reauthenticate: (error: E | WsError) => reauthenticate(error, this) }),
        ...(resubscribe && { resubscribe: (event: ResubscribeEvent<E>) => resubscribe(event, this) }),
        ...(refresh && {
          refreshCredentials: async (error: E | WsError) => {
            const next = await refresh(error);
            if (next.ws) this.wsOptions = next.ws;
            return next.url === undefined ? {} : { url: next.url };
          },
        }),
      },
      {
        state: (state) => this.emit("state", state),
        open: (url) => this.emit("open", url),
        message: (value) => this.deliver(value as T),
        error: (error) => this.emit("catalog-error", error as E | UncataloguedError),
        decision: (decision) => this.emit("decision", decision),
        reconnecting: (info) => this.emit("reconnecting", info),
        resumed: (info) => this.emit("resumed", info),
        close: (info) => this.emit("close", info),
        gaveUp: (info) => this.emit("gave-up", info),
        hookError: (error) => this.emit("hook-error", error),
        end: (error) => {
          this.emit("stopped", error);
          for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
        },
      },
    );
    this.session.start();
  }

  /** `connecting`, `open`, `reconnecting` or `closed`. */
  get state(): ClientState {
    return this.session.state.status;
  }

  /** The error that led to the current reconnect or to the end, if any. */
  get reason(): WsError | undefined {
    return this.session.state.reason;
  }

  /** What the transport reported (refused, DNS, TLS, reset) for the current reconnect or the end. */
  get cause(): unknown {
    return this.session.state.cause;
  }

  /** The highest sequence id seen on a stream message. */
  get lastSequence(): number | string | undefined {
    return this.session.lastSequence;
  }

  /** Sends a value (JSON, or the dialect's grammar, unless a string); before the connection opens it waits in a bounded queue. */
  send(data: unknown): void {
    this.session.send(data);
  }

  /**
   * Sends a command and resolves with its answer, or rejects with the typed command-scope error
   * that answers it (all of them in `error.errors` when one frame carries several). A `retry-later`
   * answer is retried after its delay, up to `maxMessageRetries`. Made before the connection is
   * open, it waits for the open, within `requestTimeoutMs`.
   */
  request<T = unknown>(message: Record<string, unknown> | readonly unknown[]): Promise<T> {
    return this.session.request<T>(message);
  }

  /** Closes for good: no reconnect, pending requests rejected, iteration ends. */
  close(code = 1000, reason = ""): void {
    this.session.close(code, reason);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    this.iterators++;
    try {
      for (;;) {
        const next: IteratorResult<T, undefined> =
          this.queue.length > 0
            ? { value: this.queue.shift() as T, done: false }
            : this.state === "closed"
              ? { value: undefined, done: true }
              : await new Promise<IteratorResult<T, undefined>>((r) => this.waiters.push(r));
        if (next.done) return;
        yield next.value;
      }
    } finally {
      if (--this.iterators === 0) this.queue.length = 0;
    }
  }

  /* The `message` listeners, read once after each change: a message is the one event emitted per
     frame, and calling them from this list instead of through `emit` measured +0.5% receive
     throughput (BENCHMARKS.md), where a second dispatch was all that was left between the client
     and a bare ws one. `emit`'s semantics are kept: the list is a copy, so a listener added or
     removed while one runs changes the next message, not this one, and every method that changes
     listeners clears it. With `captureRejections` on, `emit` does what only it can. */
  private messageListeners: ((value: T) => void)[] | undefined;
  private readonly emitsMessages = EventEmitter.captureRejections;

  // biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
  override addListener(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === "message") this.messageListeners = undefined;
    return super.addListener(event, listener);
  }

  /* `on` and `off` keep the typed signatures of the interface above: a wider one here would let an
     unknown event name or a mistyped listener compile. */
  override on<K extends keyof ClientEvents<E, T>>(event: K, listener: Listener<E, T, K>): this {
    if (event === "message") this.messageListeners = undefined;
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  // biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
  override prependListener(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === "message") this.messageListeners = undefined;
    return super.prependListener(event, listener);
  }

  // biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
  override removeListener(event: string | symbol, listener: (...args: any[]) => void): this {
    if (event === "message") this.messageListeners = undefined;
    return super.removeListener(event, listener);
  }

  override off<K extends keyof ClientEvents<E, T>>(event: K, listener: Listener<E, T, K>): this {
    if (event === "message") this.messageListeners = undefined;
    return super.off(event, listener as (...args: unknown[]) => void);
  }

  /* Arguments passed on as given: without any, EventEmitter removes every event's listeners. */
  override removeAllListeners(...event: [event?: string | symbol]): this {
    this.messageListeners = undefined;
    return super.removeAllListeners(...event);
  }

  private deliver(value: T): void {
    if (this.emitsMessages) this.emit("message", value);
    else {
      const listeners = (this.messageListeners ??= this.rawListeners("message") as ((value: T) => void)[]);
      for (let i = 0; i < listeners.length; i++) (listeners[i] as (value: T) => void).call(this, value);
    }
    if (this.iterators === 0) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value, done: false });
    else this.queue.push(value);
  }
}

/*
 * `ws` itself is the session's socket: the session listens to its own "message" event (not the
 * `onmessage` attribute, which wraps every message in a MessageEvent) and reads a refused upgrade
 * from "unexpected-response".
 */
/* Node's, Bun's and Deno's standard WebSocket take headers: this one asks the server to say a
   refused upgrade with the catalog's close, since the socket cannot read its status. */
function standardSocket(standard: StandardWebSocket, url: string): SocketLike {
  const withInit = standard as unknown as new (url: string, init: { headers: Record<string, string> }) => object;
  return new withInit(url, { headers: { [REFUSAL_HINT_HEADER]: "close" } }) as unknown as SocketLike;
}

function wsSocket(url: string, options: ClientOptions | undefined): SocketLike {
  return new WebSocket(url, options) as unknown as SocketLike;
}

/**
 * Connects to a WebSocket API described by a catalog. `url` may be a function, asked before every
 * attempt, for APIs that hand out a fresh socket URL per connection (a failure there is a failed
 * attempt, retried with backoff).
 *
 * @example
 * ```ts
 * const client = connect("ws://localhost:8080/esca/v1/rates", { codec: escaRates, ws: { headers: { "x-api-key": "demo-key" } } });
 * const ack = await client.request({ method: "subscribe", pairs: ["EUR/USD"] });
 * // A URL handed out per connection by an HTTP call:
 * const fresh = connect(async () => ((await (await fetch("https://api.example/ws-token")).json()) as { url: string }).url, { codec: escaRates });
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: an untyped client's messages are any, as ws's own are
export function connect<E extends WsError, T = any>(url: UrlSource, options: ConnectOptions<E>): WsErrorClient<E, T> {
  return new WsErrorClient<E, T>(url, options);
}
