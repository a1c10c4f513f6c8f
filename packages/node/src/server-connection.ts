import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { type Codec, type WsError } from "@ws-errors/core";
import type { WebSocket } from "ws";

const TEXT_FRAME = { binary: false } as const;

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

/**
 * One accepted connection, as handlers and policies see it: sends that track whether the peer is
 * reading, and errors sent exactly as the catalog prescribes.
 */
export class ServerConnection {
  /** Milliseconds since the epoch of the last send the socket reported done. */
  lastSendOk: number;
  readonly openedAt = Date.now();
  /** Data for handlers and policies (subscriptions, counters). */
  readonly state = new Map<string | symbol, unknown>();
  /** Past this many queued bytes a send is dropped and `onOverflow` runs (set by the slow-consumer policy). */
  maxQueuedBytes = Infinity;
  onOverflow: (() => void) | undefined;
  /**
   * Whether each send reports its completion to update `lastSendOk` (set by the slow-consumer
   * policy). Off by default: a completion callback per frame is most of what a send costs over a
   * bare `ws.send`, and only eviction needs it.
   */
  trackSends = false;
  private pendingSends = 0;
  private closing = false;

  /** The upgrade request's URL, method, headers and peer address. */
  readonly request: UpgradeRequest;

  constructor(
    readonly socket: WebSocket,
    request: IncomingMessage | UpgradeRequest,
    readonly principal: Principal | undefined,
    readonly codec: Codec<WsError>,
    /** Unique across instances (the upgrade's id). */
    readonly id: string = "",
  ) {
    this.lastSendOk = this.openedAt;
    this.request =
      "socket" in request
        ? { url: request.url ?? "/", method: request.method ?? "GET", headers: request.headers, remoteAddress: request.socket?.remoteAddress }
        : request;
  }

  /** Bytes and sends the socket has not flushed yet. */
  get queued(): number {
    return this.socket.bufferedAmount + this.pendingSends;
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN && !this.closing;
  }

  /** Sends a value as JSON (strings as they are); resolves when the socket has written it. */
  send(data: unknown): Promise<void> {
    return new Promise((resolve) => {
      if (!this.write(typeof data === "string" ? data : JSON.stringify(data), resolve)) resolve();
    });
  }

  /* One bound callback for every send: tracking the last successful write costs no closure per frame. */
  private readonly sent = (error?: Error): void => {
    this.pendingSends--;
    if (!error) this.lastSendOk = Date.now();
  };

  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    (this.socket as unknown as { _socket?: { uncork(): void } })._socket?.uncork();
  };

  /** Queues text on the socket; false when the connection is closing or over its queue limit. */
  private write(text: string, done?: () => void): boolean {
    if (this.closing || this.socket.readyState !== 1) return false;
    if (this.maxQueuedBytes !== Infinity && this.queued > this.maxQueuedBytes) {
      this.onOverflow?.();
      return false;
    }
    // Frames sent in one turn of the event loop leave in one write: the TCP socket stays corked
    // until the turn ends (process.nextTick), where ws alone makes one system call per frame.
    if (!this.corked) {
      const tcp = (this.socket as unknown as { _socket?: { cork(): void } })._socket;
      if (tcp) {
        this.corked = true;
        tcp.cork();
        process.nextTick(this.uncork);
      }
    }
    // As UTF-8 bytes, marked as a text frame: a corked socket writes buffers in one writev, where
    // string chunks each go through a conversion of their own (about a fifth faster, measured).
    const bytes = Buffer.from(text);
    if (done === undefined && !this.trackSends) {
      this.socket.send(bytes, TEXT_FRAME);
      return true;
    }
    this.pendingSends++;
    this.socket.send(bytes, TEXT_FRAME, done === undefined ? this.sent : (error) => (this.sent(error), done()));
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
    if (entry?.frame || !entry) this.write(this.codec.encodeFrameText(error, correlation));
    // ws writes frames in order, so the close goes out after the error frame without waiting.
    // An entry the API only sometimes closes after (`close.optional`) is closed by `fail` alone.
    if (entry?.close && !entry.close.optional) this.closeWith(first);
  }

  /**
   * Closes with the given code once queued frames are flushed. A peer that does not answer the
   * close within `graceMs` (5 s; less for a client known not to read) has its socket destroyed.
   */
  close(code = 1000, reason = "", graceMs = 5_000): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.close(code, reason);
    setTimeout(() => this.socket.terminate(), graceMs).unref();
  }

  /**
   * Ends the connection for this error whatever its entry says: its frame (if it has one), then its
   * close, or 1008 when the entry has no close layer.
   */
  fail(error: WsError, graceMs?: number): void {
    const entry = this.codec.entryOf(error);
    if (entry?.frame || !entry) this.write(this.codec.encodeFrameText(error));
    this.closeWith(error, graceMs);
  }

  /** Closes with the catalog's close for this error, or 1008 when its entry has no close layer. */
  closeWith(error: WsError, graceMs?: number): void {
    const close = this.codec.encodeClose(error);
    this.close(close?.code ?? 1008, close?.reason ?? "", graceMs);
  }
}
