import type { Codec, WsError } from "@ws-errors/core";
import { errorOfKind } from "./catalog";
import type { ServerEngine } from "./engine";
import { type Transport, unrefTimer } from "./transport";

/** Request headers as Node has them: lower-case names, repeated ones as arrays. */
export type IncomingHttpHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What the engine reads of an upgrade request, on any runtime (Node's `IncomingMessage` is one). */
export interface HttpRequestLike {
  readonly url?: string | undefined;
  readonly method?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

/**
 * What a connection keeps of the HTTP request that opened it. Not the `IncomingMessage` itself:
 * held for the life of every connection, it weighed more than the rest of the connection's state.
 */
export interface UpgradeRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  /** The peer's address as the socket saw it (before any proxy header is trusted). */
  readonly remoteAddress: string | undefined;
}

/** Who is on the other end, as the upgrade checks established it. */
export interface Principal {
  /** The API key (or account) the connection counts against; never sent back or logged. */
  readonly key: string;
  readonly [field: string]: unknown;
}

/* What a send's completion is reported through when sends are tracked (made once per connection, on demand). */
type SendCallback = (error?: Error) => void;

function terminate(connection: ServerConnection): void {
  connection.transport.terminate(connection.socket);
}

/* A connection made by hand, with no server: its socket is taken to have the standard methods. */
const BARE: Transport = {
  send: (socket, text, done) => {
    (socket as { send(text: string): void }).send(text);
    done?.();
  },
  close: (socket, code, reason) => (socket as { close(code: number, reason: string): void }).close(code, reason),
  terminate: (socket) => (socket as { terminate?(): void }).terminate?.(),
  bufferedAmount: (socket) => (socket as { bufferedAmount?: number }).bufferedAmount ?? 0,
  isOpen: (socket) => (socket as { readyState?: number }).readyState === 1,
};

/* The slow-consumer default when no policy set one: the catalog's slow-consumer close (1008 when it
   has none), with a second's grace, since a client that does not read will not read the close either. */
function evictSlowConsumer(connection: ServerConnection): void {
  const evict = errorOfKind(connection.codec, "slow-consumer", "close");
  if (evict) connection.closeWith(evict, 1_000);
  else connection.close(1008, "", 1_000);
}

/** The HTTP headers a WebSocket handshake consumes: ws has used them, and nothing after the upgrade needs them. */
const HANDSHAKE_HEADERS = new Set(["connection", "upgrade", "sec-websocket-key", "sec-websocket-version", "sec-websocket-extensions"]);
const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});

/**
 * The headers a connection keeps of its upgrade request: `true` all but the handshake's own
 * (`sec-websocket-key`, `-version`, `-extensions`, `connection`, `upgrade`), or the names given.
 *
 * @example
 * ```ts
 * keptHeaders({ url: "/v1", headers: { "user-agent": "curl/8", cookie: "s=1" } }, ["user-agent", "origin"]); // { "user-agent": "curl/8" }
 * ```
 */
export function keptHeaders(request: HttpRequestLike, keep: boolean | readonly string[]): IncomingHttpHeaders {
  if (keep === false || (keep !== true && keep.length === 0)) return NO_HEADERS;
  const headers: Record<string, string | string[] | undefined> = {};
  if (keep === true) {
    for (const name in request.headers) if (!HANDSHAKE_HEADERS.has(name)) headers[name] = request.headers[name];
  } else {
    for (const name of keep.map((n) => n.toLowerCase())) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = value;
    }
  }
  return headers;
}

/**
 * One accepted connection, as handlers and policies see it: sends that track whether the peer is
 * reading, and errors sent exactly as the catalog prescribes.
 *
 * A server holds one per idle connection for hours, so it carries only what it must: no closure
 * per connection, its `state` map made on first use, policies' data in symbol-keyed slots
 * (`connection[slot]`, one pointer each where a WeakMap entry costs several).
 *
 * @example
 * ```ts
 * new WsErrorServer({ codec, server: http, onConnection: (connection) => connection.send({ type: "welcome" }) });
 * ```
 */
// biome-ignore lint/suspicious/noExplicitAny: the runtime's socket type, `ws`'s WebSocket for a WsErrorServer's connections; handlers written for one runtime reach it unchecked
export class ServerConnection<S = any> {
  /** Policies' per-connection data, each under a symbol of its own. */
  [slot: symbol]: unknown;
  /** The server that accepted this connection (unset for one made by hand). */
  server: ServerEngine | undefined = undefined;
  // Set when they first differ from `openedAt`: a number that is not a small integer is a
  // separate 16-byte object, and an idle connection needs none.
  private sentOkAt: number | undefined = undefined;
  private seenAt: number | undefined = undefined;
  readonly openedAt: number;

  /** The socket's bytesRead at the heartbeat policy's last check (the policy's, not for handlers). @internal */
  bytesSeen = 0;
  /** Past this many queued bytes a send is dropped and `onOverflow` runs (set by the slow-consumer policy). */
  maxQueuedBytes = Infinity;
  /** Runs (with this connection) when a send would pass `maxQueuedBytes`; default: the catalog's slow-consumer close, a second's grace. */
  onOverflow: ((connection: ServerConnection) => void) | undefined = evictSlowConsumer;
  /**
   * Whether each send reports its completion to update `lastSendOk` (set by the slow-consumer
   * policy). Off by default: a completion callback per frame is most of what a send costs over a
   * bare `ws.send`, and only eviction needs it.
   */
  trackSends = false;
  private pendingSends = 0;
  private closing = false;
  /* Bytes of frames handed over, for transports that cannot count what the socket read. */
  private framesRead = 0;
  private stateMap: Map<string | symbol, unknown> | undefined = undefined;
  private sent: SendCallback | undefined = undefined;

  // What is kept of the upgrade request, as fields: `request` makes the object on demand.
  private readonly url: string;
  private readonly remoteAddress: string | undefined;
  private readonly headers: IncomingHttpHeaders;
  private readonly idValue: string | number;

  /**
   * @param socket The runtime's socket (`ws`'s WebSocket, Bun's ServerWebSocket, a standard WebSocket).
   * @param request The upgrade request (its URL and peer address are kept; headers as `keepHeaders`
   *   says, none by default), or what to report as it.
   * @param id Unique across instances; a number is this server's attempt count, made into
   *   `<server.instanceId>:<n>` on demand (a string per idle connection is memory for nothing).
   * @param keepHeaders Which request headers `request.headers` keeps (see {@link keptHeaders}).
   */
  constructor(
    readonly socket: S,
    request: (HttpRequestLike & { readonly socket?: { readonly remoteAddress?: string | undefined } }) | UpgradeRequest,
    readonly principal: Principal | undefined,
    readonly codec: Codec<WsError>,
    id: string | number = "",
    keepHeaders: boolean | readonly string[] = false,
  ) {
    this.openedAt = Date.now();
    this.url = request.url ?? "/";
    if ("remoteAddress" in request) {
      this.remoteAddress = request.remoteAddress;
      this.headers = request.headers;
    } else {
      this.remoteAddress = request.socket?.remoteAddress;
      this.headers = keptHeaders(request, keepHeaders);
    }
    this.idValue = id;
  }

  /** Unique across instances: the upgrade's id (`<instanceId>:<n>` for a server's connection). */
  get id(): string {
    return typeof this.idValue === "number" ? `${this.server?.instanceId ?? ""}:${this.idValue}` : this.idValue;
  }

  /**
   * The upgrade request's URL, method (always GET), peer address, and the headers the server was
   * told to keep (`keepHeaders`; none by default: read others in `authenticate` or `onConnection`).
   */
  get request(): UpgradeRequest {
    return { url: this.url, method: "GET", headers: this.headers, remoteAddress: this.remoteAddress };
  }

  /** Milliseconds since the epoch of the last send the socket reported done (`openedAt` before any). */
  get lastSendOk(): number {
    return this.sentOkAt ?? this.openedAt;
  }

  set lastSendOk(ms: number) {
    this.sentOkAt = ms;
  }

  /**
   * Milliseconds since the epoch of the peer's last sign of life (any bytes: a frame, a pong), as
   * of the heartbeat policy's last check; `openedAt` without that policy, or before it saw any.
   */
  get lastSeen(): number {
    return this.seenAt ?? this.openedAt;
  }

  set lastSeen(ms: number) {
    this.seenAt = ms;
  }

  /** Data for handlers and policies (subscriptions, counters), made on first use. */
  get state(): Map<string | symbol, unknown> {
    return (this.stateMap ??= new Map());
  }

  /** How the engine reaches this connection's socket: its server's transport. @internal */
  get transport(): Transport<S> {
    return (this.server?.transport ?? BARE) as Transport<S>;
  }

  /** Bytes and sends the socket has not flushed yet. */
  get queued(): number {
    return this.transport.bufferedAmount(this.socket) + this.pendingSends;
  }

  get isOpen(): boolean {
    return !this.closing && this.transport.isOpen(this.socket);
  }

  /**
   * Bytes the peer has sent (a pong included where the runtime counts the socket's bytes; else the
   * frames handed to the server), for liveness checks that need no listener per frame.
   */
  get bytesRead(): number {
    const transport = this.transport;
    return transport.bytesRead ? transport.bytesRead(this.socket) : this.framesRead;
  }

  /** Counts a frame's bytes where the transport cannot. @internal */
  counted(bytes: number): void {
    this.framesRead += bytes;
  }

  /** Stops reading the peer's frames until {@link resume}, where the runtime can; false where it cannot. */
  pause(): boolean {
    const transport = this.transport;
    if (!transport.pause) return false;
    transport.pause(this.socket);
    return true;
  }

  resume(): void {
    this.transport.resume?.(this.socket);
  }

  /** Sends a WebSocket ping where the runtime lets a server send one; false where it does not. */
  ping(): boolean {
    const transport = this.transport;
    if (!transport.ping) return false;
    transport.ping(this.socket);
    return true;
  }

  /** Sends a value as JSON, or in the dialect's grammar (strings as they are); resolves when the socket has written it. */
  send(data: unknown): Promise<void> {
    return new Promise((resolve) => {
      const grammar = this.codec.grammar;
      const text = typeof data === "string" ? data : grammar ? grammar.write(data) : JSON.stringify(data);
      if (!this.write(text, resolve)) resolve();
    });
  }

  /* One callback for every tracked send, made with the first: tracking costs no closure per frame. */
  private tracker(): SendCallback {
    return (this.sent ??= (error?: Error): void => {
      this.pendingSends--;
      if (!error) this.sentOkAt = Date.now();
    });
  }

  /** Queues text on the socket; false when the connection is closing or over its queue limit. */
  private write(text: string, done?: () => void): boolean {
    const transport = this.transport;
    if (this.closing || !transport.isOpen(this.socket)) return false;
    if (this.maxQueuedBytes !== Infinity && this.queued > this.maxQueuedBytes) {
      this.onOverflow?.(this);
      return false;
    }
    if (done === undefined && !this.trackSends) {
      transport.send(this.socket, text);
      return true;
    }
    this.pendingSends++;
    const sent = this.tracker();
    transport.send(this.socket, text, done === undefined ? sent : (error) => (sent(error), done()));
    return true;
  }

  /**
   * Sends catalog errors as the dialect's error frame (several in one frame where it allows),
   * echoing the request's correlation fields; when the entry closes the connection, the close
   * follows once the frame is flushed. An entry without a frame layer only closes; one whose close
   * is optional only sends its frame (`fail` closes after it).
   */
  sendError(error: WsError | readonly WsError[], correlation: { requestId?: string | number | undefined; command?: string | undefined } = {}): void {
    const first = Array.isArray(error) ? (error as readonly WsError[])[0] : (error as WsError);
    if (!first) return;
    const entry = this.codec.entryOf(first);
    const framed = entry?.frame !== undefined || !entry;
    if (framed && this.write(this.codec.encodeFrameText(error, correlation))) {
      const telemetry = this.server?.telemetry;
      if (telemetry) for (const each of Array.isArray(error) ? (error as readonly WsError[]) : [first]) telemetry.sent(each, "frame");
    }
    // ws writes frames in order, so the close goes out after the error frame without waiting.
    // An entry the API only sometimes closes after (`close.optional`) is closed by `fail` alone.
    if (entry?.close && !entry.close.optional) this.closeWith(first, undefined, framed);
  }

  /**
   * Closes with the given code once queued frames are flushed. A peer that does not answer the
   * close within `graceMs` (5 s; less for a client known not to read) has its socket destroyed.
   */
  close(code = 1000, reason = "", graceMs = 5_000): void {
    if (this.closing) return;
    this.closing = true;
    const transport = this.transport;
    transport.close(this.socket, code, reason);
    // A connection paused by a rate limit must read the peer's answering close, or the client only
    // learns it was closed when the grace runs out and the socket is destroyed (frames still
    // arriving are not worked on: the connection is no longer open).
    if (transport.isPaused?.(this.socket)) transport.resume?.(this.socket);
    unrefTimer(setTimeout(terminate, graceMs, this));
  }

  /** Drops the connection at once, without the closing handshake (a client the server gives up on). */
  terminate(): void {
    this.closing = true;
    this.transport.terminate(this.socket);
  }

  /**
   * Ends the connection for this error whatever its entry says: its frame (if it has one), then its
   * close (see {@link closeWith}).
   */
  fail(error: WsError, graceMs?: number): void {
    const entry = this.codec.entryOf(error);
    if ((entry?.frame || !entry) && this.write(this.codec.encodeFrameText(error))) this.server?.telemetry?.sent(error, "frame");
    this.closeWith(error, graceMs, true);
  }

  /**
   * Closes with the catalog's close for this error: its entry's close layer, else its browser
   * fallback (the close that already tells a client this error when it cannot see an upgrade's
   * answer), else its frame and 1008, which clients read as that frame's error. `framed`: the
   * caller has sent the frame already.
   */
  closeWith(error: WsError, graceMs?: number, framed = false): void {
    // A bare 1008 decodes as whatever the catalog gives 1008 to, maybe another entry entirely: a
    // revoked key read as "too many connections" would be retried. The fallback decodes as this one.
    const close = this.codec.encodeClose(error) ?? this.codec.encodeBrowserFallback(error);
    const entry = this.codec.entryOf(error);
    if ((!close || entry?.close?.afterFrame) && entry?.frame && !framed && !this.closing && this.transport.isOpen(this.socket)) {
      // The frame is all that says this error (a slow consumer's, say; or a close the API knows
      // only by the frame before it). Sent past the queue limit: it is the last data frame, and
      // the limit's own eviction is what may have brought us here.
      this.transport.send(this.socket, this.codec.encodeFrameText(error));
      this.server?.telemetry?.sent(error, "frame");
    }
    // Nothing on an open connection tells this error (an entry only on the upgrade layer, say): the
    // client reads a generic policy violation, so the operator is told which entry needs a layer.
    if (!close && entry && !entry.frame && !this.closing) {
      this.server?.logger.warn(
        `"${entry.id}" has no frame, close or browserFallback layer: the connection closes with a bare 1008, which clients do not read as it`,
      );
    }
    if (!this.closing) this.server?.telemetry?.sent(error, "close");
    this.close(close?.code ?? 1008, close?.reason ?? "", graceMs);
  }
}
