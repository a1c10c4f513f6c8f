import {
  type Codec,
  getPath,
  parsePath,
  REFUSAL_HINT_HEADER,
  recordCatalogError,
  SPAN_KIND,
  type SpanLike,
  type TracerLike,
  type WsError,
} from "@ws-errors/core";
import { EventEmitter } from "eventemitter3";
import { replyEcho, requestFields, retryAfterOf } from "./catalog";
import { type ErrorEntries, ErrorMapper } from "./error-mapper";
import { consoleLogger, type Logger, redactingLogger } from "./redact";
import { type HttpRequestLike, keptHeaders, type Principal, ServerConnection } from "./server-connection";
import { memoryState } from "./state/memory";
import type { SharedState } from "./state/shared-state";
import { globalMeter, globalTracer, remoteParent, type ServerMeter, type ServerTelemetry, serverMetrics } from "./telemetry";
import type { Transport } from "./transport";

/** What upgrade checks see and may fill in. */
export interface UpgradeContext<R extends HttpRequestLike = HttpRequestLike> {
  /** This attempt's id, unique across instances: the holder of any slot taken for it. */
  readonly id: string;
  /** The upgrade request: Node's `IncomingMessage`, or the head of a Fetch `Request` (see the adapters). */
  readonly request: R;
  readonly url: URL;
  /** The client's address: the socket's peer, or what `clientAddress` read from a trusted proxy header. */
  readonly address: string;
  principal: Principal | undefined;
  readonly server: ServerEngine;
  /** Runs `cleanup` when the connection this upgrade opens ends, or as soon as the upgrade is refused or abandoned. */
  onEnd(cleanup: () => void): void;
  /**
   * Runs `cleanup` only if this upgrade opens no connection (refused by a later check, or the
   * socket gone before the upgrade completes). Once the connection opens, the cleanup is dropped and
   * the policy's `close` hook (which every accepted connection gets, even one refused by a later
   * policy's `open`) takes over: nothing of the upgrade stays with a connection for its life.
   */
  onAbandon(cleanup: () => void): void;
}

/** A client message, parsed, with the command and correlation id the dialect locates. */
export interface IncomingCommand {
  readonly data: unknown;
  readonly command: string | undefined;
  readonly requestId: string | number | undefined;
}

/** What the server knows of an inbound frame before doing any work for it. */
export interface InboundFrame {
  readonly bytes: number;
  readonly isBinary: boolean;
}

/**
 * A server-side behaviour attached to every connection: key checks, caps, rate limits, heartbeats.
 * Each hook may throw a catalog error: before the upgrade it rejects the upgrade, in `open` it
 * closes the new connection, in `message` it answers the message.
 */
export interface ServerPolicy {
  readonly name: string;
  /**
   * What stops this policy from saying its errors in the server's catalog, one sentence each naming
   * the policy, the entry and the missing layer. The server refuses to start with any in `refuse`,
   * rather than send what its catalog does not say (a bare `500 {}` for a refused key, say), and
   * logs those in `warn`.
   */
  check?(codec: Codec<WsError>): { readonly refuse: readonly string[]; readonly warn: readonly string[] };
  upgrade?(context: UpgradeContext): void | Promise<void>;
  open?(connection: ServerConnection): void;
  /**
   * Runs for every inbound frame before any work is done for it (before it is parsed), malformed
   * or not. Throw a catalog error to answer the frame with it instead of handling it; return
   * `false` to drop it unanswered (the connection is closing, say).
   */
  inbound?(connection: ServerConnection, frame: InboundFrame): void | boolean;
  /** Return `false` to consume the message (a heartbeat ack, say) so no handler sees it. */
  message?(connection: ServerConnection, message: IncomingCommand): void | boolean;
  close?(connection: ServerConnection): void;
  dispose?(): void;
}

// biome-ignore lint/suspicious/noExplicitAny: the runtime's socket, as ServerConnection's
export type CommandHandler<S = any> = (message: IncomingCommand, connection: ServerConnection<S>) => unknown;

/** What every server decides, whatever the runtime: the options all adapters share. */
// biome-ignore lint/suspicious/noExplicitAny: the runtime's socket, as ServerConnection's
export interface ServerEngineOptions<R extends HttpRequestLike = HttpRequestLike, S = any> {
  /** The catalog codec every error is encoded with. */
  readonly codec: Codec<WsError>;
  /** Runs first: establish who is connecting, or throw a catalog error. */
  readonly authenticate?: (context: UpgradeContext<R>) => Principal | undefined | Promise<Principal | undefined>;
  readonly policies?: readonly ServerPolicy[];
  /** Handlers by command name (the dialect's `requests.command`); an unknown command is answered with the catalog's error. */
  readonly commands?: Readonly<Record<string, CommandHandler<S>>>;
  /** Sees every message no command handler took. */
  readonly onMessage?: CommandHandler<S>;
  /** Runs for each open connection, before the server's `connection` event. */
  readonly onConnection?: (connection: ServerConnection<S>) => void;
  /**
   * When a rejected upgrade is answered by accepting and closing with the entry's 4xxx browser
   * fallback instead of an HTTP status. Default: when the request carries an `Origin` header, as
   * browsers' always do, or asks for it (`ws-errors-refusal: close`, which the ws-errors clients
   * send over a standard WebSocket outside browsers, where no status can be read either).
   */
  readonly browserFallback?: boolean | ((request: R) => boolean);
  readonly logger?: Logger;
  /**
   * The entries that answer a malformed message, an unknown command and an unexpected exception.
   * Defaults, by kind, among entries with a frame layer (for the first two, ones that do not close
   * the connection): invalid-message; unknown-command, then invalid-argument, then invalid-message;
   * internal, then service-unavailable. With none, built-in errors in the catalog's envelope.
   */
  readonly errors?: ErrorEntries;
  /**
   * Bytes that may wait for a client that does not read (replies, data) before it is closed with
   * the catalog's slow-consumer close (1008 when the catalog has none). Default 8 MiB; the
   * `slowConsumer` policy sets its own.
   */
  readonly maxQueuedBytes?: number;
  /**
   * The client address that attempt limits and handshake caps count by. Default: the socket's
   * peer address. Behind a proxy, read the header your proxy writes (`forwardedFor({ hops: 1 })`
   * on Node); never trust a header without one. Without this option, the server logs one warning
   * when upgrades arrive with `X-Forwarded-For`.
   */
  readonly clientAddress?: (request: R) => string;
  /**
   * Where caps, attempt windows, revocations and stream history live. Default: this process's
   * memory ({@link memoryState}); `@ws-errors/redis` shares them across instances.
   */
  readonly state?: SharedState;
  /**
   * The request headers each connection keeps as `connection.request.headers`: none by default (a
   * connection lives for hours; read what you need in `authenticate` or `onConnection`), `true` for
   * all but the handshake's own, or the names to keep.
   */
  readonly keepHeaders?: boolean | readonly string[];
  /**
   * Where the server's metrics go: an OpenTelemetry meter, or `false` for none. Default:
   * `@opentelemetry/api`'s global meter when the application installed the API and registered an
   * SDK before creating the server; otherwise nothing is recorded.
   */
  readonly metrics?: ServerMeter | false;
  /**
   * Where the server's spans go: one per upgrade and one per command with a handler. An
   * OpenTelemetry tracer, or `false`. Default: `@opentelemetry/api`'s global tracer provider when
   * one is registered before the server is created.
   */
  readonly tracing?: TracerLike | false;
}

/**
 * How a refused upgrade is answered, as the catalog says: an HTTP response, or (for a browser, or
 * an entry with no upgrade layer) the upgrade accepted and closed at once, after the entry's frame
 * where the API sends one first.
 */
export type Refusal =
  | {
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      readonly close?: undefined;
    }
  | { readonly close: { readonly code: number; readonly reason: string }; readonly frame?: string | undefined };

/** The outcome of an upgrade's checks: a context to open the connection with, or the catalog's refusal. */
export type Admission<R extends HttpRequestLike = HttpRequestLike> =
  | { readonly context: UpgradeContext<R>; readonly refusal?: undefined }
  | { readonly refusal: Refusal; readonly error: WsError; readonly context?: undefined };

/** The events of a server, as `ws`'s server has them. */
export interface ServerEngineEvents {
  /**
   * A connection passed every check and is open (after the `onConnection` option ran). A listener
   * that throws is answered as `onConnection` is: the client gets the catalog's internal error.
   */
  connection: [connection: ServerConnection];
  /** `close()` finished: every connection has closed. */
  close: [];
}

/* What an upgrade holds until its connection opens, or it is refused or abandoned. */
interface Pending {
  readonly attempt: number;
  ends: (() => void)[] | undefined;
  abandoned: (() => void)[] | undefined;
}

const PENDING = new WeakMap<UpgradeContext<HttpRequestLike>, Pending>();
/* The `onEnd` cleanups of open connections that have some: a WeakMap entry only for those. */
const ENDS = new WeakMap<ServerConnection, (() => void)[]>();

/**
 * What a server decides, once, for every runtime: the upgrade's checks and the catalog's answer
 * to a refusal, the policies, inbound accounting, command dispatch with the request id echoed,
 * error emission, the shared state, metrics and traces, and shutdown with 1001. Adapters
 * (`WsErrorServer` on `ws`, Bun, Deno, Durable Objects, crossws) move bytes through a
 * {@link Transport} and call {@link admit}, {@link open}, {@link frame} and {@link closed}.
 *
 * @example
 * ```ts
 * import { ServerEngine, apiKey, standardTransport, type StandardServerSocket } from "@ws-errors/server";
 * import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
 *
 * // An adapter of your own, for a runtime whose sockets have the standard methods.
 * const engine = new ServerEngine({ codec: escaRates, policies: [apiKey({ from: { query: "api_key" }, verify: (k) => k === "demo-key" })] }, standardTransport);
 * async function onUpgrade(request: { url: string; headers: Record<string, string> }, peer: string, accept: () => StandardServerSocket) {
 *   const admission = await engine.admit(request, peer);
 *   if (admission.refusal) return admission.refusal; // the catalog's status, headers and body (or a close)
 *   const connection = engine.open(accept(), admission.context, peer);
 *   if (connection.isOpen) engine.opened(connection); // then engine.frame(connection, text, bytes) per frame, engine.closed(connection) at the end
 * }
 * ```
 */
export class ServerEngine<R extends HttpRequestLike = HttpRequestLike, S = unknown> extends EventEmitter<ServerEngineEvents> {
  readonly codec: Codec<WsError>;
  readonly connections = new Set<ServerConnection>();
  /** Caps, rate windows, revocations and history: this process's, or shared across instances. */
  readonly state: SharedState;
  /**
   * This instance's id (72 random bits, base64url): attempts are `<instanceId>:<n>`, so slot holders
   * never collide across instances.
   */
  readonly instanceId = randomId();
  /** The server's logger, with every key it has seen redacted. */
  readonly logger: Logger;
  /** How thrown values and detected failures become this catalog's errors (shared with the NestJS filter). */
  readonly errors: ErrorMapper;
  /** The server's metrics, when a meter records them (see `metrics`). */
  readonly telemetry: ServerTelemetry | undefined;
  /** The server's tracer, when spans are recorded (see `tracing`). */
  readonly tracer: TracerLike | undefined;
  private readonly tracePath: ReturnType<typeof parsePath>;
  private attempts = 0;
  private closeEmitted = false;
  /* `close()`'s wait for the last connection to go: one for every call, so a second `close()`
     does not strand the first. */
  private draining: { readonly done: Promise<void>; readonly resolve: () => void } | undefined = undefined;
  private readonly readRequest: ReturnType<typeof requestFields>;
  private readonly echo: ReturnType<typeof replyEcho>;
  private readonly secrets = new Set<string>();
  private readonly inbound: readonly ServerPolicy[];
  private readonly policies: readonly ServerPolicy[];
  private readonly fallback: (request: R) => boolean;
  /* Whether the proxy warning may still be logged: only without `clientAddress`, and only once. */
  private unwarnedProxy: boolean;

  /**
   * @param transport How this runtime's sockets are written to and closed.
   * @param library The instrumentation scope metrics and spans are recorded under.
   */
  constructor(
    private readonly engineOptions: ServerEngineOptions<R, S>,
    readonly transport: Transport<S>,
    library = "@ws-errors/server",
  ) {
    super();
    const options = engineOptions;
    this.codec = options.codec;
    this.policies = options.policies ?? [];
    const checks = this.policies.map((policy) => policy.check?.(options.codec));
    const refused = [...new Set(checks.flatMap((c) => c?.refuse ?? []))];
    if (refused.length > 0) throw new Error(`catalog "${options.codec.catalog.name}" cannot say what its policies send:\n- ${refused.join("\n- ")}`);
    const meter = options.metrics === false ? undefined : (options.metrics ?? globalMeter(library));
    this.telemetry = meter ? serverMetrics(meter, options.codec.catalog.name) : undefined;
    this.tracer = options.tracing === false ? undefined : (options.tracing ?? globalTracer(library));
    this.tracePath = parsePath(options.codec.catalog.dialect.requests?.traceContext);
    this.state = this.telemetry ? countedReplays(options.state ?? memoryState(), this.telemetry) : (options.state ?? memoryState());
    this.logger = redactingLogger(options.logger ?? consoleLogger, () => [...this.secrets]);
    for (const warning of new Set(checks.flatMap((c) => c?.warn ?? []))) this.logger.warn(`catalog "${options.codec.catalog.name}": ${warning}`);
    this.readRequest = requestFields(options.codec);
    this.echo = replyEcho(options.codec);
    this.errors = new ErrorMapper(options.codec, { ...(options.errors && { entries: options.errors }), logger: this.logger });
    this.inbound = this.policies.filter((p) => p.inbound !== undefined);
    const fallback = options.browserFallback ?? ((request: R) => request.headers.origin !== undefined || request.headers[REFUSAL_HINT_HEADER] === "close");
    this.fallback = typeof fallback === "function" ? fallback : () => fallback;
    this.unwarnedProxy = options.clientAddress === undefined;
  }

  /* As express-rate-limit does for `trust proxy`: behind a load balancer every upgrade comes from
     its address, so per-address attempt limits would throttle all clients together. */
  private warnProxy(): void {
    this.unwarnedProxy = false;
    this.logger.warn(
      "upgrade requests carry X-Forwarded-For, but client addresses are read from the socket: behind a proxy or load balancer every client counts as its one address in attempt limits and handshake caps. Pass clientAddress: forwardedFor({ hops: 1 }) (one trusted proxy in front), or clientAddress: socketAddress to keep counting by the socket's peer.",
    );
  }

  /** Keys seen on this server, so logs can redact them. */
  rememberSecret(secret: string): void {
    this.secrets.add(secret);
  }

  /**
   * Runs the upgrade checks (`authenticate`, then each policy's `upgrade`) for a request from
   * `peer`. Never throws: a check's error, or anything unexpected as the catalog's internal error,
   * comes back as the catalog's {@link Refusal}, its cleanups already run. An admitted upgrade
   * must be given to {@link open}, or to {@link abandon} when the socket is gone first.
   */
  async admit(request: R, peer: string): Promise<Admission<R>> {
    const attempt = this.attempts++;
    if (this.unwarnedProxy && request.headers["x-forwarded-for"] !== undefined) this.warnProxy();
    const pending: Pending = { attempt, ends: undefined, abandoned: undefined };
    const context: UpgradeContext<R> = {
      // Joined, not concatenated: a shared state keeps this string for the connection's life (a cap's
      // holder), and `+` makes a chain of string pieces twice the size of the flat string `join` makes.
      id: [this.instanceId, attempt].join(":"),
      request,
      url: new URL(request.url ?? "/", "http://localhost"),
      address: this.engineOptions.clientAddress ? this.engineOptions.clientAddress(request) : peer,
      principal: undefined,
      server: this as unknown as ServerEngine,
      onEnd: (cleanup) => void (pending.ends ??= []).push(cleanup),
      onAbandon: (cleanup) => void (pending.abandoned ??= []).push(cleanup),
    };
    PENDING.set(context, pending);
    let check = "authenticate";
    const span = this.tracer?.startSpan("upgrade", { kind: SPAN_KIND.server, attributes: { "ws_errors.catalog": this.codec.catalog.name } });
    try {
      if (this.engineOptions.authenticate) context.principal = (await this.engineOptions.authenticate(context)) ?? context.principal;
      for (const policy of this.policies) {
        check = policy.name;
        await policy.upgrade?.(context);
      }
    } catch (thrown) {
      this.abandon(context);
      const error = this.asCatalogError(thrown, "an upgrade check");
      this.telemetry?.policy(check, "refuse", error);
      if (span) {
        span.setAttribute("ws_errors.policy", check);
        recordCatalogError(span, error);
        span.end();
      }
      return { refusal: this.refusal(error, request), error };
    }
    span?.end();
    return { context };
  }

  /**
   * The catalog's answer to an upgrade refused with `error` (counted as sent): its HTTP status,
   * headers and body; or, for a browser (which sees only 1006 of an HTTP refusal) and for an entry
   * with no upgrade layer, the upgrade accepted and closed with the entry's close or browser
   * fallback, after its frame where the API sends one first.
   */
  refusal(error: WsError, request: R): Refusal {
    this.telemetry?.upgrade(error);
    // An entry with no upgrade answer is said as the catalog can say it: accepted, then closed with
    // its close (or browser fallback), as APIs that close bad tokens with 4001 do. Its status would
    // be the internal error's, or a bare 500 no client reads as this error.
    const entry = this.codec.entryOf(error);
    const close = entry?.upgrade
      ? this.fallback(request)
        ? this.codec.encodeBrowserFallback(error)
        : undefined
      : (this.codec.encodeClose(error) ?? this.codec.encodeBrowserFallback(error));
    if (close) {
      // A close the API knows only by the frame before it goes out after that frame.
      const frame = !entry?.upgrade && entry?.close?.afterFrame && entry.frame ? this.codec.encodeFrameText(error) : undefined;
      if (frame !== undefined) this.telemetry?.sent(error, "frame");
      this.telemetry?.sent(error, "close");
      return { close: { code: close.code, reason: close.reason }, frame };
    }
    this.telemetry?.sent(error, "upgrade");
    const retryAfter = retryAfterOf(error);
    const response = this.codec.encodeUpgrade(error, retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter });
    return { status: response.status, headers: response.headers, body: response.body };
  }

  /**
   * Runs an abandoned upgrade's cleanups: the socket went away before the connection opened.
   * Idempotent.
   */
  abandon(context: UpgradeContext<R>): void {
    const pending = PENDING.get(context);
    if (!pending) return;
    PENDING.delete(context);
    if (pending.abandoned) runAll(pending.abandoned, this.logger);
    if (pending.ends) runAll(pending.ends, this.logger);
  }

  /**
   * Opens the connection of an admitted upgrade on the runtime's socket: the policies' `open`
   * hooks run (one may close it at once, answered with the catalog's close: `isOpen` is then
   * false, and the connection's `close` hooks run when the socket reports its close). While it is
   * open, route its frames to {@link frame} and call {@link opened}.
   *
   * @param peer The socket's peer address (kept as `connection.request.remoteAddress`).
   */
  open(socket: S, context: UpgradeContext<R>, peer: string | undefined): ServerConnection<S> {
    const pending = PENDING.get(context);
    PENDING.delete(context);
    const request = context.request;
    const kept = { url: request.url ?? "/", method: "GET", headers: keptHeaders(request, this.engineOptions.keepHeaders ?? false), remoteAddress: peer };
    const connection = new ServerConnection<S>(socket, kept, context.principal, this.codec, pending?.attempt ?? this.attempts++);
    if (pending?.ends) ENDS.set(connection, pending.ends);
    connection.maxQueuedBytes = this.engineOptions.maxQueuedBytes ?? 8 * 1024 * 1024;
    connection.server = this as unknown as ServerEngine;
    this.connections.add(connection);
    if (this.telemetry) {
      this.telemetry.upgrade();
      this.telemetry.connections(1);
    }
    for (const policy of this.policies) {
      try {
        policy.open?.(connection);
      } catch (thrown) {
        // A policy refusing an accepted connection (the cap lost in a race) only closes: no frame.
        // Every policy's `close` still runs when it has, so what the upgrade took is given back.
        const error = this.asCatalogError(thrown, `the ${policy.name} policy`);
        this.telemetry?.policy(policy.name, "close", error);
        connection.closeWith(error);
        return connection;
      }
    }
    return connection;
  }

  /** Announces an open connection: the `onConnection` option, then the `connection` event. */
  opened(connection: ServerConnection<S>): void {
    try {
      this.engineOptions.onConnection?.(connection);
      this.emit("connection", connection);
    } catch (thrown) {
      void connection.sendError(this.errors.fromThrown(thrown, "onConnection"));
    }
  }

  /** The socket of a connection has closed: the policies' `close` hooks and the upgrade's `onEnd` cleanups run. */
  closed(connection: ServerConnection<S>): void {
    if (!this.connections.delete(connection)) return;
    this.telemetry?.connections(-1);
    for (const policy of this.policies) policy.close?.(connection);
    const ends = ENDS.get(connection);
    if (ends) {
      ENDS.delete(connection);
      runAll(ends, this.logger);
    }
    if (this.connections.size === 0 && this.draining) {
      const { resolve } = this.draining;
      this.draining = undefined;
      resolve();
    }
  }

  /**
   * An inbound frame: its text (undefined for a binary frame) and its size in bytes. Counted by
   * the policies' inbound checks before any work is done for it, then parsed and dispatched.
   */
  frame(connection: ServerConnection<S>, text: string | undefined, bytes: number): void {
    // Frames still arriving after a close (a flood in flight) are not worked on.
    if (!connection.isOpen) return;
    if (!this.transport.bytesRead) connection.counted(bytes);
    if (this.inbound.length > 0) {
      const frame: InboundFrame = { bytes, isBinary: text === undefined };
      for (const policy of this.inbound) {
        try {
          if (policy.inbound?.(connection, frame) === false) return void this.telemetry?.policy(policy.name, "drop");
        } catch (thrown) {
          // Answering reads the correlation; the checks keep such answers few per window.
          const error = this.errors.fromThrown(thrown, `the ${policy.name} policy`);
          this.telemetry?.policy(policy.name, "answer", Array.isArray(error) ? error[0] : (error as WsError));
          connection.sendError(error, text === undefined ? {} : this.correlationOf(text));
          return;
        }
      }
    }
    void this.onMessage(connection, text);
  }

  /**
   * Revokes a key on every instance that shares this server's state: their connections with it are
   * closed by the `revocation` policy, and its upgrades refused while the revocation lasts.
   */
  async revoke(key: string, ttlMs?: number): Promise<void> {
    await this.state.revoke(key, ttlMs);
  }

  /**
   * Every policy's and every connection's timers stop; connections close with 1001. Resolves when
   * every connection has closed (a peer that never answers the close is cut off after its grace).
   */
  close(): Promise<void> {
    for (const policy of this.policies) policy.dispose?.();
    if (this.connections.size > 0 && !this.draining) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.draining = { done, resolve };
    }
    const drained = this.draining?.done;
    for (const connection of this.connections) connection.close(1001, "Server shutting down");
    return Promise.all([drained, this.closeTransport()]).then(() => {
      // Once, as ws's own server does, however often close() is called.
      if (this.closeEmitted) return;
      this.closeEmitted = true;
      this.emit("close");
    });
  }

  /** What an adapter stops besides the connections (its own server); resolves when it has. */
  protected closeTransport(): Promise<void> {
    return Promise.resolve();
  }

  /** A catalog error as thrown, or the catalog's internal error in place of anything else (logged, never sent). */
  asCatalogError(thrown: unknown, where = "a handler"): WsError {
    const mapped = this.errors.fromThrown(thrown, where);
    return Array.isArray(mapped) ? (mapped[0] as WsError) : mapped;
  }

  /**
   * Starts timing and tracing one command (one whose handler the application registered: never a
   * name a client made up), and returns what ends it, with the catalog error that answered it if
   * one did; undefined when neither metrics nor spans are recorded. The server calls it for its
   * own `commands`; adapters that dispatch commands themselves (NestJS gateways) call it too.
   */
  measureCommand(command: string, data: unknown): ((error?: WsError) => void) | undefined {
    if (!this.telemetry && !this.tracer) return undefined;
    const started = performance.now();
    const span = this.commandSpan(command, data);
    return (error) => {
      this.telemetry?.command(command, error ? "error" : "ok", (performance.now() - started) / 1000, error);
      if (!span) return;
      if (error) recordCatalogError(span, error);
      span.end();
    };
  }

  /* A command's span, continuing the client's trace where the request carries its context. */
  private commandSpan(command: string, data: unknown): SpanLike | undefined {
    if (!this.tracer) return undefined;
    const path = this.tracePath;
    const parent = path ? remoteParent(getPath(data, path)) : undefined;
    const options = { kind: SPAN_KIND.server, attributes: { "ws_errors.catalog": this.codec.catalog.name, "ws_errors.command": command } };
    return parent === undefined ? this.tracer.startSpan(command, options) : this.tracer.startSpan(command, options, parent);
  }

  private correlationOf(text: string): { requestId?: string | number | undefined; command?: string | undefined } {
    try {
      return this.readRequest(this.parse(text));
    } catch {
      return {};
    }
  }

  /* A client message as the value paths read: JSON, or the dialect's grammar (which answers
     `undefined` for text that is not one of its frames: malformed, as unparsable JSON is). */
  private parse(text: string): unknown {
    const grammar = this.codec.grammar;
    if (!grammar) return JSON.parse(text);
    const value = grammar.parse(text);
    if (value === undefined) throw new SyntaxError(`not a ${grammar.name} frame`);
    return value;
  }

  private async onMessage(connection: ServerConnection<S>, text: string | undefined): Promise<void> {
    let data: unknown;
    try {
      if (text === undefined) throw new TypeError("binary frame");
      data = this.parse(text);
    } catch {
      connection.sendError(this.errors.error("malformed"));
      return;
    }
    const { command, requestId } = this.readRequest(data);
    const message: IncomingCommand = { data, command, requestId };
    const correlation = { requestId, command };
    const { commands, onMessage } = this.engineOptions;
    try {
      for (const policy of this.policies) if (policy.message?.(connection, message) === false) return;
      const handler = command !== undefined ? commands?.[command] : undefined;
      if (commands && !handler && !onMessage) {
        connection.sendError(this.errors.error("unknownCommand"), correlation);
        return;
      }
      // Timed and traced only for commands the server has a handler for: never a name a client made up.
      const done = handler ? this.measureCommand(command as string, data) : undefined;
      try {
        const reply = await (handler ?? onMessage)?.(message, connection);
        done?.();
        if (reply !== undefined) await connection.send(this.echo(reply, requestId));
      } catch (thrown) {
        if (!done) throw thrown;
        const mapped = this.errors.fromThrown(thrown, `the ${command} handler`);
        done(Array.isArray(mapped) ? (mapped[0] as WsError) : (mapped as WsError));
        throw mapped;
      }
    } catch (thrown) {
      // Several validation errors at once go out in one frame, where the dialect has a list for them.
      connection.sendError(this.errors.fromThrown(thrown, command === undefined ? "the message handler" : `the ${command} handler`), correlation);
    }
  }
}

/* Resumes served, counted where they are served: the state's replay (the server's own calls and
   the application's, through `server.state`). */
function countedReplays(state: SharedState, telemetry: ServerTelemetry): SharedState {
  const replay: SharedState["replay"] = async (stream, after, max) => {
    const found = await state.replay(stream, after, max);
    telemetry.replay(found.entries.length, found.lost !== undefined);
    return found;
  };
  // Methods bound once each: policies reach the state on every upgrade.
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(state, {
    get(target, property) {
      if (property === "replay") return replay;
      const value = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      let method = bound.get(property);
      if (method === undefined) bound.set(property, (method = value.bind(target)));
      return method;
    },
  });
}

function runAll(cleanups: readonly (() => void)[], logger: Logger): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch (error) {
      logger.warn("a policy's cleanup failed", { error });
    }
  }
}

/* 72 random bits as base64url, with the platform's CSPRNG (every runtime has Web Crypto). */
function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_");
}
