import type { IncomingMessage } from "node:http";
import { type Codec, type WsError } from "@ws-errors/core";
import type { WebSocket } from "ws";

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
  private pendingSends = 0;
  private closing = false;

  constructor(
    readonly socket: WebSocket,
    readonly request: IncomingMessage,
    readonly principal: Principal | undefined,
    readonly codec: Codec<WsError>,
  ) {
    this.lastSendOk = this.openedAt;
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
    if (!this.isOpen) return Promise.resolve();
    if (this.queued > this.maxQueuedBytes) {
      this.onOverflow?.();
      return Promise.resolve();
    }
    const text = typeof data === "string" ? data : JSON.stringify(data);
    this.pendingSends++;
    return new Promise((resolve) => {
      this.socket.send(text, (error) => {
        this.pendingSends--;
        if (!error) this.lastSendOk = Date.now();
        resolve();
      });
    });
  }

  /**
   * Sends catalog errors as the dialect's error frame (several in one frame where it allows),
   * echoing the request's correlation fields; when the entry closes the connection, the close
   * follows once the frame is flushed. An entry without a frame layer only closes.
   */
  async sendError(error: WsError | readonly WsError[], correlation: { requestId?: string | number | undefined; command?: string | undefined } = {}): Promise<void> {
    const errors = Array.isArray(error) ? (error as readonly WsError[]) : [error as WsError];
    const first = errors[0];
    if (!first) return;
    const entry = this.codec.catalog.errors.find((e) => e.id === first.id);
    if (entry?.frame || !entry) {
      const options = { ...(correlation.requestId !== undefined && { requestId: correlation.requestId }), ...(correlation.command !== undefined && { command: correlation.command }) };
      await this.send(this.codec.encodeFrame(errors, options));
    }
    const close = this.codec.encodeClose(first);
    if (close) this.close(close.code, close.reason);
  }

  /** Closes with a catalog error's close (or the given code), once queued frames are flushed. */
  close(code = 1000, reason = ""): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.close(code, reason);
    // A peer that never answers the close must not hold the socket open.
    setTimeout(() => this.socket.terminate(), 5_000).unref();
  }

  /**
   * Ends the connection for this error whatever its entry says: its frame (if it has one), then its
   * close, or 1008 when the entry has no close layer.
   */
  async fail(error: WsError): Promise<void> {
    await this.sendError(error);
    this.closeWith(error);
  }

  /** Closes with the catalog's close for this error, or 1008 when its entry has no close layer. */
  closeWith(error: WsError): void {
    const close = this.codec.encodeClose(error);
    this.close(close?.code ?? 1008, close?.reason ?? "");
  }
}
