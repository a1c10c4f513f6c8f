import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import { STATUS_CODES, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { type Codec, getPath, parsePath, recordCatalogError, SPAN_KIND, type SpanLike, type TracerLike, type WsError } from "@ws-errors/core";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { errorOfKind, replyEcho, requestFields, retryAfterOf } from "./catalog";
import { ServerConnection, type Principal } from "./server-connection";
import { ErrorMapper, type ErrorEntries } from "./error-mapper";
import { guardHandshakes, socketAddress, type HandshakeOptions } from "./handshake";
import { consoleLogger, redactingLogger, type Logger } from "./redact";
import { memoryState } from "./state/memory";
import type { SharedState } from "./state/shared-state";
import { globalMeter, globalTracer, remoteParent, serverMetrics, type ServerMeter, type ServerTelemetry } from "./telemetry";

/** What upgrade checks see and may fill in. */
export interface UpgradeContext {
  /** This attempt's id, unique across instances: the holder of any slot taken for it. */
  readonly id: string;
  readonly request: IncomingMessage;
  readonly url: URL;
  /** The client's address: the socket's peer, or what `clientAddress` read from a trusted proxy header. */
  readonly address: string;
  principal: Principal | undefined;
  readonly server: WsErrorServer;
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

/** @deprecated Use {@link ServerPolicy}: "policy" alone also names the catalog's retry policy. */
export type Policy = ServerPolicy;

export type CommandHandler = (message: IncomingCommand, connection: ServerConnection) => unknown;

export interface WsErrorServerOptions {
  /** The catalog codec every error is encoded with. */
  readonly codec: Codec<WsError>;
  /** Attach to this server's `upgrade` events; without it, call {@link WsErrorServer.handleUpgrade}. */
  readonly server?: Server;
  /** Only upgrades to this path are handled (with `server`); others get 404 from the catalog or plain. */
  readonly path?: string;
  /** Runs first: establish who is connecting, or throw a catalog error. */
  readonly authenticate?: (context: UpgradeContext) => Principal | undefined | Promise<Principal | undefined>;
  readonly policies?: readonly ServerPolicy[];
  /** Handlers by command name (the dialect's `requests.command`); an unknown command is answered with the catalog's error. */
  readonly commands?: Readonly<Record<string, CommandHandler>>;
  /** Sees every message no command handler took. */
  readonly onMessage?: CommandHandler;
  /** Runs for each open connection, before the server's `connection` event. */
  readonly onConnection?: (connection: ServerConnection) => void;
  /**
   * When a rejected upgrade is answered by accepting and closing with the entry's 4xxx browser
   * fallback instead of an HTTP status. Default: when the request carries an `Origin` header, as
   * browsers' always do.
   */
  readonly browserFallback?: boolean | ((request: IncomingMessage) => boolean);
  readonly logger?: Logger;
  /**
   * The entries that answer a malformed message, an unknown command and an unexpected exception.
   * Defaults, by kind, among entries with a frame layer (for the first two, ones that do not close
   * the connection): invalid-message; unknown-command, then invalid-argument, then invalid-message;
   * internal, then service-unavailable. With none, built-in errors in the catalog's envelope.
   */
  readonly errors?: ErrorEntries;
  /** Largest accepted message, in bytes (default 1 MiB); larger ones close with 1009. */
  readonly maxPayload?: number;
  /**
   * Bytes that may wait for a client that does not read (replies, data) before it is closed with
   * the catalog's slow-consumer close (1008 when the catalog has none). Default 8 MiB; the
   * `slowConsumer` policy sets its own.
   */
  readonly maxQueuedBytes?: number;
  /**
   * The client address that attempt limits and handshake caps count by. Default: the socket's
   * peer address. Behind a proxy, `forwardedFor({ hops: 1 })`; never trust a header without one.
   * Without this option, the server logs one warning when upgrades arrive with `X-Forwarded-For`
   * (behind a load balancer, every client would count as the balancer's one address); pass
   * `socketAddress` to count by the socket's peer on purpose and silence it.
   */
  readonly clientAddress?: (request: IncomingMessage) => string;
  /**
   * Handshake hardening applied to `server` (see {@link guardHandshakes}): a 10 s handshake
   * timeout and at most 64 handshakes in progress per address, by default. `false` leaves the
   * HTTP server as it is.
   */
  readonly handshake?: HandshakeOptions | false;
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
   * Whether `wsServer.clients` (ws's own set of sockets) is kept: off by default, since
   * {@link WsErrorServer.connections} holds every connection already, and ws's set costs each
   * connection a closure, a set entry and a second close listener (about 180 bytes).
   */
  readonly clientTracking?: boolean;
  /**
   * Where the server's metrics go (errors sent, upgrades, open connections, policy actions,
   * resumes, shared-state failures, command durations): an OpenTelemetry meter, or `false` for
   * none. Default: `@opentelemetry/api`'s global meter when the application installed the API and
   * registered an SDK before creating the server; otherwise nothing is recorded.
   */
  readonly metrics?: ServerMeter | false;
  /**
   * Where the server's spans go: one per upgrade (refused ones with the catalog error as an
   * `exception` event and error status) and one per command with a handler. An OpenTelemetry
   * tracer, or `false`. Default: `@opentelemetry/api`'s global tracer provider when one is
   * registered before the server is created; otherwise no span is started.
   */
  readonly tracing?: TracerLike | false;
}

/** The events of a {@link WsErrorServer}, as `ws`'s server has them. */
export interface WsErrorServerEvents {
  /**
   * A connection passed every check and is open (after the `onConnection` option ran). A listener
   * that throws is answered as `onConnection` is: the client gets the catalog's internal error.
   */
  connection: [connection: ServerConnection];
  /** `close()` finished: every connection has closed. */
  close: [];
}

type ServerListener<K extends keyof WsErrorServerEvents> = (...args: WsErrorServerEvents[K]) => void;

/* Typed events: an unknown event name or a mistyped listener does not compile. */
export interface WsErrorServer {
  on<K extends keyof WsErrorServerEvents>(event: K, listener: ServerListener<K>): this;
  once<K extends keyof WsErrorServerEvents>(event: K, listener: ServerListener<K>): this;
  off<K extends keyof WsErrorServerEvents>(event: K, listener: ServerListener<K>): this;
  emit<K extends keyof WsErrorServerEvents>(event: K, ...args: WsErrorServerEvents[K]): boolean;
}

/**
 * A WebSocket server on `ws` that answers every failure exactly as its catalog says: upgrade
 * checks reject with the catalog's HTTP status, header and body; handler errors go out in the
 * dialect's envelope with the request's correlation id; closes carry the catalog's code and
 * reason; anything unexpected becomes the catalog's internal error, with nothing internal sent.
 *
 * One connection cannot starve the others: each connection's frames are handed over one per turn
 * of the event loop (ws's `allowSynchronousEvents: false`), every frame passes the policies'
 * `inbound` checks before it is parsed, frames arriving after a close are not worked on, and
 * output queued for a client that does not read is bounded (`maxQueuedBytes`).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { WsErrorServer, apiKey } from "@ws-errors/node";
 * import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
 *
 * const http = createServer();
 * const server = new WsErrorServer({
 *   codec: escaRates,
 *   server: http,
 *   path: "/v1/rates",
 *   policies: [apiKey({ from: { header: "x-api-key" }, verify: (key) => key === "demo-key" })],
 *   commands: { subscribe: () => ({ method: "subscribe", success: true }) },  // req_id is echoed
 * });
 * server.on("connection", (connection) => connection.send({ type: "welcome" }));
 * http.listen(8080);
 * ```
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the interface types the events the class emits
export class WsErrorServer extends EventEmitter {
  readonly codec: Codec<WsError>;
  readonly connections = new Set<ServerConnection>();
  /** Caps, rate windows, revocations and history: this process's, or shared across instances. */
  readonly state: SharedState;
  /**
   * This instance's id (72 random bits, base64url): attempts are `<instanceId>:<n>`, so slot holders
   * never collide across instances.
   */
  readonly instanceId = randomBytes(9).toString("base64url");
  /** The server's logger, with every key it has seen redacted. */
  readonly logger: Logger;
  /** How thrown values and detected failures become this catalog's errors (shared with the NestJS filter). */
  readonly errors: ErrorMapper;
  /** The server's metrics, when a meter records them (see `metrics`). */
  readonly telemetry: ServerTelemetry | undefined;
  /** The server's tracer, when spans are recorded (see `tracing`). */
  readonly tracer: TracerLike | undefined;
  private readonly tracePath: ReturnType<typeof parsePath>;
  private readonly wss: WebSocketServer;
  private attempts = 0;
  private closeEmitted = false;
  /* `close()`'s wait for the last connection to go (ws's own wait needs its client set): one for
     every call, so a second `close()` does not strand the first. */
  private draining: { readonly done: Promise<void>; readonly resolve: () => void } | undefined = undefined;
  private readonly readRequest: ReturnType<typeof requestFields>;
  private readonly echo: ReturnType<typeof replyEcho>;
  private readonly secrets = new Set<string>();
  private readonly inbound: readonly ServerPolicy[];
  private readonly addressOf: (request: IncomingMessage) => string;
  /* Whether the proxy warning may still be logged: only without `clientAddress`, and only once. */
  private unwarnedProxy: boolean;

  constructor(private readonly options: WsErrorServerOptions) {
    super();
    this.codec = options.codec;
    const checks = (options.policies ?? []).map((policy) => policy.check?.(options.codec));
    const refused = [...new Set(checks.flatMap((c) => c?.refuse ?? []))];
    if (refused.length > 0) throw new Error(`catalog "${options.codec.catalog.name}" cannot say what its policies send:\n- ${refused.join("\n- ")}`);
    const meter = options.metrics === false ? undefined : (options.metrics ?? globalMeter("@ws-errors/node"));
    this.telemetry = meter ? serverMetrics(meter, options.codec.catalog.name) : undefined;
    this.tracer = options.tracing === false ? undefined : (options.tracing ?? globalTracer("@ws-errors/node"));
    this.tracePath = parsePath(options.codec.catalog.dialect.requests?.traceContext);
    this.state = this.telemetry ? countedReplays(options.state ?? memoryState(), this.telemetry) : (options.state ?? memoryState());
    // One message per connection per turn of the event loop, so a flood on one socket interleaves
    // with everyone else's frames instead of running ahead of them.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload ?? 1024 * 1024,
      allowSynchronousEvents: false,
      WebSocket: AcceptedSocket,
      clientTracking: options.clientTracking ?? false,
    });
    this.logger = redactingLogger(options.logger ?? consoleLogger, () => [...this.secrets]);
    for (const warning of new Set(checks.flatMap((c) => c?.warn ?? []))) this.logger.warn(`catalog "${options.codec.catalog.name}": ${warning}`);
    this.readRequest = requestFields(options.codec);
    this.echo = replyEcho(options.codec);
    this.errors = new ErrorMapper(options.codec, { ...(options.errors && { entries: options.errors }), logger: this.logger });
    this.inbound = (options.policies ?? []).filter((p) => p.inbound !== undefined);
    this.addressOf = options.clientAddress ?? socketAddress;
    this.unwarnedProxy = options.clientAddress === undefined;
    if (options.server) {
      if (options.handshake !== false) {
        const limited = errorOfKind(options.codec, "rate-limited", "upgrade");
        const rejection = limited && this.codec.entryOf(limited)?.upgrade ? this.codec.encodeUpgrade(limited) : undefined;
        guardHandshakes(options.server, { ...options.handshake, ...(rejection && !options.handshake?.rejection ? { rejection } : {}) });
      }
      options.server.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
        if (options.path !== undefined && new URL(request.url ?? "/", "http://x").pathname !== options.path) return;
        void this.handleUpgrade(request, socket, head);
      });
    }
  }

  /* As express-rate-limit does for `trust proxy`: behind a load balancer every upgrade comes from
     its address, so per-address attempt limits would throttle all clients together. */
  private warnProxy(): void {
    this.unwarnedProxy = false;
    this.logger.warn(
      "upgrade requests carry X-Forwarded-For, but client addresses are read from the socket: behind a proxy or load balancer every client counts as its one address in attempt limits and handshake caps. Pass clientAddress: forwardedFor({ hops: 1 }) (one trusted proxy in front), or clientAddress: socketAddress to keep counting by the socket's peer.",
    );
  }

  /** The connection of a socket this server accepted. */
  connectionOf(socket: WebSocket): ServerConnection | undefined {
    const connection = (socket as SocketWithConnection)[CONNECTION];
    return connection?.server === this ? connection : undefined;
  }

  /** The underlying `ws` server, for frameworks that bind their own connection handling to it. */
  get wsServer(): WebSocketServer {
    return this.wss;
  }

  /** Keys seen on this server, so logs can redact them. */
  rememberSecret(secret: string): void {
    this.secrets.add(secret);
  }

  /**
   * Runs the upgrade checks, then either completes the upgrade or answers with the catalog's
   * rejection and releases the socket. Never throws.
   */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", destroySocket);
    const attempt = this.attempts++;
    if (this.unwarnedProxy && request.headers["x-forwarded-for"] !== undefined) this.warnProxy();
    // Cleanups for an upgrade that opens no connection wait here, not on the socket: a "close"
    // listener added and removed again would leave ws's socket with a slower, larger listener table
    // for the connection's life.
    const abandoned: (() => void)[] = [];
    const abandon = () => runAll(abandoned.splice(0), this.logger);
    const context: UpgradeContext = {
      // Joined, not concatenated: a shared state keeps this string for the connection's life (a cap's
      // holder), and `+` makes a chain of string pieces twice the size of the flat string `join` makes.
      id: [this.instanceId, attempt].join(":"),
      request,
      url: new URL(request.url ?? "/", "http://localhost"),
      address: this.addressOf(request),
      principal: undefined,
      server: this,
      onEnd: (cleanup) => onSocketEnd(socket, cleanup, this.logger),
      onAbandon: (cleanup) => void abandoned.push(cleanup),
    };
    let check = "authenticate";
    const span = this.tracer?.startSpan("upgrade", { kind: SPAN_KIND.server, attributes: { "ws_errors.catalog": this.codec.catalog.name } });
    try {
      if (this.options.authenticate) context.principal = (await this.options.authenticate(context)) ?? context.principal;
      for (const policy of this.options.policies ?? []) {
        check = policy.name;
        await policy.upgrade?.(context);
      }
    } catch (thrown) {
      abandon();
      runCleanups(socket);
      const error = this.asCatalogError(thrown, "an upgrade check");
      this.telemetry?.policy(check, "refuse", error);
      if (span) {
        span.setAttribute("ws_errors.policy", check);
        recordCatalogError(span, error);
        span.end();
      }
      this.rejectUpgrade(request, socket, head, error);
      return;
    }
    // However the connection ends (refused, abandoned mid-handshake, accepted then closed), what
    // the checks took is given back. A socket gone during the checks ends here.
    span?.end();
    if (socket.destroyed) {
      abandon();
      return runCleanups(socket);
    }
    let accepted = false;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      accepted = true;
      abandoned.length = 0;
      this.accept(ws, request, context, attempt);
    });
    // ws completes an upgrade at once (no verifyClient here) or refuses it and destroys the
    // socket; should it ever finish later, the socket's close decides.
    if (accepted) return;
    if (socket.destroyed) abandon();
    else socket.once("close", () => (accepted ? undefined : abandon()));
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
   * every connection has closed (a peer that never answers the close is cut off by ws's close timeout).
   */
  close(): Promise<void> {
    for (const policy of this.options.policies ?? []) policy.dispose?.();
    if (this.connections.size > 0 && !this.draining) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      this.draining = { done, resolve };
    }
    const drained = this.draining?.done;
    for (const connection of this.connections) connection.close(1001, "Server shutting down");
    return Promise.all([drained, new Promise<void>((resolve) => this.wss.close(() => resolve()))]).then(() => {
      // Once, as ws's own server does, however often close() is called.
      if (this.closeEmitted) return;
      this.closeEmitted = true;
      this.emit("close");
    });
  }

  /** A catalog error as thrown, or the catalog's internal error in place of anything else (logged, never sent). */
  asCatalogError(thrown: unknown, where = "a handler"): WsError {
    const mapped = this.errors.fromThrown(thrown, where);
    return Array.isArray(mapped) ? (mapped[0] as WsError) : mapped;
  }

  private rejectUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, error: WsError): void {
    this.telemetry?.upgrade(error);
    const fallback = this.options.browserFallback ?? ((req: IncomingMessage) => req.headers.origin !== undefined);
    // An entry with no upgrade answer is said as the catalog can say it: accepted, then closed with
    // its close (or browser fallback), as APIs that close bad tokens with 4001 do. Its status would
    // be the internal error's, or a bare 500 no client reads as this error.
    const browser = typeof fallback === "function" ? fallback(request) : fallback;
    const entry = this.codec.entryOf(error);
    const close = entry?.upgrade
      ? browser
        ? this.codec.encodeBrowserFallback(error)
        : undefined
      : (this.codec.encodeClose(error) ?? this.codec.encodeBrowserFallback(error));
    if (close) {
      // A close the API knows only by the frame before it goes out after that frame.
      const framed = !entry?.upgrade && entry?.close?.afterFrame && entry.frame ? this.codec.encodeFrameText(error) : undefined;
      if (framed !== undefined) this.telemetry?.sent(error, "frame");
      this.telemetry?.sent(error, "close");
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        if (framed !== undefined) ws.send(framed);
        ws.close(close.code, close.reason);
      });
      return;
    }
    this.telemetry?.sent(error, "upgrade");
    const retryAfter = retryAfterOf(error);
    const response = this.codec.encodeUpgrade(error, retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter });
    const body = Buffer.from(response.body);
    const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? "Error"}`];
    for (const [name, value] of Object.entries(response.headers)) lines.push(`${name}: ${value}`);
    lines.push(`content-length: ${body.length}`, "connection: close", "", "");
    if (!socket.writable) return void socket.destroy();
    socket.end(Buffer.concat([Buffer.from(lines.join("\r\n")), body]));
  }

  private accept(ws: WebSocket, request: IncomingMessage, context: UpgradeContext, attempt: number): void {
    const connection = new ServerConnection(ws, request, context.principal, this.codec, attempt, this.options.keepHeaders ?? false);
    // ws has its own error listener on the TCP socket now.
    const tcp = (ws as unknown as { _socket: Duplex })._socket;
    tcp.removeListener("error", destroySocket);
    // Reading the peer's address (handshake limits, attempt windows) made Node cache it on the
    // socket as an object for the socket's life; the connection keeps the address string itself.
    (tcp as unknown as { _peername?: unknown })._peername = undefined;
    // Listeners shared by every connection (the socket is `this`): a closure each would cost more
    // than the rest of what a connection holds.
    ws.on("error", onSocketError);
    ws.on("close", onSocketClose);
    connection.maxQueuedBytes = this.options.maxQueuedBytes ?? 8 * 1024 * 1024;
    connection.server = this;
    (ws as SocketWithConnection)[CONNECTION] = connection;
    this.connections.add(connection);
    if (this.telemetry) {
      this.telemetry.upgrade();
      this.telemetry.connections(1);
    }
    for (const policy of this.options.policies ?? []) {
      try {
        policy.open?.(connection);
      } catch (thrown) {
        // A policy refusing an accepted connection (the cap lost in a race) only closes: no frame.
        // Every policy's `close` still runs when it has, so what the upgrade took is given back.
        const error = this.asCatalogError(thrown, `the ${policy.name} policy`);
        this.telemetry?.policy(policy.name, "close", error);
        connection.closeWith(error);
        return;
      }
    }
    ws.on("message", onSocketMessage);
    // Frameworks that bind to the ws server (NestJS gateways) see the connection as usual.
    this.wss.emit("connection", ws, request);
    try {
      this.options.onConnection?.(connection);
      this.emit("connection", connection);
    } catch (thrown) {
      void connection.sendError(this.errors.fromThrown(thrown, "onConnection"));
    }
  }

  /* The shared socket listeners' way in. */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: called by the module's shared listeners, outside the class body
  private closed(connection: ServerConnection): void {
    if (this.connections.delete(connection)) this.telemetry?.connections(-1);
    for (const policy of this.options.policies ?? []) policy.close?.(connection);
    if (this.connections.size === 0 && this.draining) {
      const { resolve } = this.draining;
      this.draining = undefined;
      resolve();
    }
  }

  /* Every frame is counted by the inbound checks before any work is done for it. */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: called by the module's shared listeners, outside the class body
  private onFrame(connection: ServerConnection, raw: RawData, isBinary: boolean): void {
    // Frames still arriving after a close (a flood in flight) are not worked on.
    if (!connection.isOpen) return;
    if (this.inbound.length > 0) {
      const frame: InboundFrame = { bytes: byteLength(raw), isBinary };
      for (const policy of this.inbound) {
        try {
          if (policy.inbound?.(connection, frame) === false) return void this.telemetry?.policy(policy.name, "drop");
        } catch (thrown) {
          // Answering reads the correlation; the checks keep such answers few per window.
          const error = this.errors.fromThrown(thrown, `the ${policy.name} policy`);
          this.telemetry?.policy(policy.name, "answer", Array.isArray(error) ? error[0] : (error as WsError));
          connection.sendError(error, isBinary ? {} : this.correlationOf(raw));
          return;
        }
      }
    }
    void this.onMessage(connection, raw, isBinary);
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

  private correlationOf(raw: RawData): { requestId?: string | number | undefined; command?: string | undefined } {
    try {
      return this.readRequest(this.parse(raw.toString()));
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

  private async onMessage(connection: ServerConnection, raw: RawData, isBinary: boolean): Promise<void> {
    let data: unknown;
    try {
      if (isBinary) throw new TypeError("binary frame");
      data = this.parse(raw.toString());
    } catch {
      connection.sendError(this.errors.error("malformed"));
      return;
    }
    const { command, requestId } = this.readRequest(data);
    const message: IncomingCommand = { data, command, requestId };
    const correlation = { requestId, command };
    try {
      for (const policy of this.options.policies ?? []) if (policy.message?.(connection, message) === false) return;
      const handler = command !== undefined ? this.options.commands?.[command] : undefined;
      if (this.options.commands && !handler && !this.options.onMessage) {
        connection.sendError(this.errors.error("unknownCommand"), correlation);
        return;
      }
      // Timed and traced only for commands the server has a handler for: never a name a client made up.
      const done = handler ? this.measureCommand(command as string, data) : undefined;
      try {
        const reply = await (handler ?? this.options.onMessage)?.(message, connection);
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

function byteLength(raw: RawData): number {
  if (Array.isArray(raw)) return raw.reduce((n, b) => n + b.length, 0);
  return raw.byteLength;
}

const CONNECTION = Symbol("ws-errors.connection");

type SocketWithConnection = WebSocket & { [CONNECTION]?: ServerConnection | undefined };

/* ws's socket with a field for its connection, declared so that it is in the object itself: a
   property added later, or a WeakMap entry, costs several times the pointer. */
class AcceptedSocket extends WebSocket {
  [CONNECTION]: ServerConnection | undefined = undefined;
}
/* An upgrade's cleanups, while it has some: in a WeakMap, since a property added to the socket would
   stay (as undefined) for the connection's life. */
interface Cleanups {
  readonly list: (() => void)[];
  readonly logger: Logger;
}
const CLEANUPS = new WeakMap<Duplex, Cleanups>();

/* Listeners that live as long as a connection are shared module functions, never closures made in
   the upgrade's scope: such a closure would keep that whole scope (the request, its URL, the head)
   for the connection's life, and each costs memory of its own. */
function destroySocket(this: Duplex): void {
  this.destroy();
}

function onSocketError(this: SocketWithConnection, error: Error): void {
  this[CONNECTION]?.server?.logger.warn("socket error", { error });
}

function onSocketClose(this: SocketWithConnection): void {
  const connection = this[CONNECTION];
  // biome-ignore lint/complexity/useLiteralKeys: the server's private hook, reached from its own module
  connection?.server?.["closed"](connection);
}

function onSocketMessage(this: SocketWithConnection, data: RawData, isBinary: boolean): void {
  const connection = this[CONNECTION];
  // biome-ignore lint/complexity/useLiteralKeys: the server's private hook, reached from its own module
  connection?.server?.["onFrame"](connection, data, isBinary);
}

/* Cleanups wait on the TCP socket's close: only sockets that have some carry a list and a listener. */
function onSocketEnd(socket: Duplex, cleanup: () => void, logger: Logger): void {
  const cleanups = CLEANUPS.get(socket);
  if (cleanups) return void cleanups.list.push(cleanup);
  CLEANUPS.set(socket, { list: [cleanup], logger });
  socket.on("close", runCleanupsOnClose);
}

function runCleanupsOnClose(this: Duplex): void {
  runCleanups(this);
}

/* Idempotent: the list is taken before it runs. */
function runCleanups(socket: Duplex): void {
  const cleanups = CLEANUPS.get(socket);
  if (!cleanups) return;
  CLEANUPS.delete(socket);
  runAll(cleanups.list, cleanups.logger);
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
