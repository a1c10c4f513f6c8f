import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { STATUS_CODES } from "node:http";
import {
  type Admission,
  errorOfKind,
  type InboundFrame,
  type IncomingCommand,
  type CommandHandler,
  type Refusal,
  type ServerConnection,
  ServerEngine,
  type ServerEngineEvents,
  type ServerEngineOptions,
  type ServerPolicy,
  type Transport,
  type UpgradeContext as EngineUpgradeContext,
} from "@ws-errors/server";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { guardHandshakes, type HandshakeOptions } from "./handshake";

export type { InboundFrame, IncomingCommand, CommandHandler, ServerPolicy };

/** What upgrade checks on Node see and may fill in: the engine's context with Node's request. */
export type UpgradeContext = EngineUpgradeContext<IncomingMessage>;

/** @deprecated Use {@link ServerPolicy}: "policy" alone also names the catalog's retry policy. */
export type Policy = ServerPolicy;

export interface WsErrorServerOptions extends ServerEngineOptions<IncomingMessage, WebSocket> {
  /** Attach to this server's `upgrade` events; without it, call {@link WsErrorServer.handleUpgrade}. */
  readonly server?: Server;
  /** Only upgrades to this path are handled (with `server`); others get 404 from the catalog or plain. */
  readonly path?: string;
  /** Largest accepted message, in bytes (default 1 MiB); larger ones close with 1009. */
  readonly maxPayload?: number;
  /**
   * Handshake hardening applied to `server` (see {@link guardHandshakes}): a 10 s handshake
   * timeout and at most 64 handshakes in progress per address, by default. `false` leaves the
   * HTTP server as it is.
   */
  readonly handshake?: HandshakeOptions | false;
  /**
   * Whether `wsServer.clients` (ws's own set of sockets) is kept: off by default, since
   * {@link WsErrorServer.connections} holds every connection already, and ws's set costs each
   * connection a closure, a set entry and a second close listener (about 180 bytes).
   */
  readonly clientTracking?: boolean;
}

/** The events of a {@link WsErrorServer}, as `ws`'s server has them. */
export type WsErrorServerEvents = ServerEngineEvents;

const TEXT_FRAME = { binary: false } as const;

type TcpSocket = { cork(): void; uncork(): void; writableCorked: number; bytesRead: number };

function tcpOf(socket: WebSocket): TcpSocket | undefined {
  return (socket as unknown as { _socket?: TcpSocket })._socket;
}

/* The turn's frames are flushed by one shared callback (no closure per connection). */
function uncork(tcp: TcpSocket): void {
  tcp.uncork();
}

/** `ws`'s sockets as the engine writes to them. */
const wsTransport: Transport<WebSocket> = {
  send(socket, text, done) {
    // Frames sent in one turn of the event loop leave in one write: the TCP socket stays corked
    // until the turn ends (process.nextTick), where ws alone makes one system call per frame.
    const tcp = tcpOf(socket);
    if (tcp && tcp.writableCorked === 0) {
      tcp.cork();
      process.nextTick(uncork, tcp);
    }
    // As UTF-8 bytes, marked as a text frame: a corked socket writes buffers in one writev, where
    // string chunks each go through a conversion of their own (about a fifth faster, measured).
    socket.send(Buffer.from(text), TEXT_FRAME, done);
  },
  close: (socket, code, reason) => socket.close(code, reason),
  terminate: (socket) => socket.terminate(),
  bufferedAmount: (socket) => socket.bufferedAmount,
  isOpen: (socket) => socket.readyState === 1,
  pause: (socket) => socket.pause(),
  resume: (socket) => socket.resume(),
  isPaused: (socket) => socket.isPaused,
  ping: (socket) => socket.ping(),
  // The TCP socket's count, the handshake included: a pong is a sign of life with no listener.
  bytesRead: (socket) => tcpOf(socket)?.bytesRead ?? 0,
};

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
export class WsErrorServer extends ServerEngine<IncomingMessage, WebSocket> {
  declare readonly connections: Set<ServerConnection<WebSocket>>;
  private readonly wss: WebSocketServer;

  constructor(options: WsErrorServerOptions) {
    super(options, wsTransport, "@ws-errors/node");
    // One message per connection per turn of the event loop, so a flood on one socket interleaves
    // with everyone else's frames instead of running ahead of them.
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayload ?? 1024 * 1024,
      allowSynchronousEvents: false,
      WebSocket: AcceptedSocket,
      clientTracking: options.clientTracking ?? false,
    });
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

  /** The connection of a socket this server accepted. */
  connectionOf(socket: WebSocket): ServerConnection<WebSocket> | undefined {
    const connection = (socket as SocketWithConnection)[CONNECTION];
    return (connection?.server as unknown) === this ? connection : undefined;
  }

  /** The underlying `ws` server, for frameworks that bind their own connection handling to it. */
  get wsServer(): WebSocketServer {
    return this.wss;
  }

  /**
   * Runs the upgrade checks, then either completes the upgrade or answers with the catalog's
   * rejection and releases the socket. Never throws.
   */
  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", destroySocket);
    const admission: Admission<IncomingMessage> = await this.admit(request, request.socket.remoteAddress ?? "");
    if (admission.refusal) return this.refuse(request, socket, head, admission.refusal);
    const context = admission.context;
    // However the connection ends (refused, abandoned mid-handshake, accepted then closed), what
    // the checks took is given back. A socket gone during the checks ends here.
    if (socket.destroyed) return this.abandon(context);
    let accepted = false;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      accepted = true;
      this.accept(ws, request, context);
    });
    // ws completes an upgrade at once (no verifyClient here) or refuses it and destroys the
    // socket; should it ever finish later, the socket's close decides.
    if (accepted) return;
    if (socket.destroyed) this.abandon(context);
    else socket.once("close", () => (accepted ? undefined : this.abandon(context)));
  }

  /* The catalog's refusal on the raw socket: accepted and closed, or the HTTP response written out. */
  private refuse(request: IncomingMessage, socket: Duplex, head: Buffer, refusal: Refusal): void {
    if (refusal.close) {
      const { close, frame } = refusal;
      this.wss.handleUpgrade(request, socket, head, (ws) => {
        if (frame !== undefined) ws.send(frame);
        ws.close(close.code, close.reason);
      });
      return;
    }
    const body = Buffer.from(refusal.body);
    const lines = [`HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status] ?? "Error"}`];
    for (const [name, value] of Object.entries(refusal.headers)) lines.push(`${name}: ${value}`);
    lines.push(`content-length: ${body.length}`, "connection: close", "", "");
    if (!socket.writable) return void socket.destroy();
    socket.end(Buffer.concat([Buffer.from(lines.join("\r\n")), body]));
  }

  private accept(ws: WebSocket, request: IncomingMessage, context: UpgradeContext): void {
    // ws has its own error listener on the TCP socket now.
    const tcp = (ws as unknown as { _socket: Duplex })._socket;
    tcp.removeListener("error", destroySocket);
    // Reading the peer's address (handshake limits, attempt windows) made Node cache it on the
    // socket as an object for the socket's life; the connection keeps the address string itself.
    const peer = request.socket.remoteAddress;
    (tcp as unknown as { _peername?: unknown })._peername = undefined;
    // Listeners shared by every connection (the socket is `this`): a closure each would cost more
    // than the rest of what a connection holds.
    ws.on("error", onSocketError);
    ws.on("close", onSocketClose);
    const connection = this.open(ws, context, peer);
    (ws as SocketWithConnection)[CONNECTION] = connection;
    if (!connection.isOpen) return;
    ws.on("message", onSocketMessage);
    // Frameworks that bind to the ws server (NestJS gateways) see the connection as usual.
    this.wss.emit("connection", ws, request);
    this.opened(connection);
  }

  protected override closeTransport(): Promise<void> {
    return new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}

function byteLength(raw: RawData): number {
  if (Array.isArray(raw)) return raw.reduce((n, b) => n + b.length, 0);
  return raw.byteLength;
}

const CONNECTION = Symbol("ws-errors.connection");

type SocketWithConnection = WebSocket & { [CONNECTION]?: ServerConnection<WebSocket> | undefined };

/* ws's socket with a field for its connection, declared so that it is in the object itself: a
   property added later, or a WeakMap entry, costs several times the pointer. */
class AcceptedSocket extends WebSocket {
  [CONNECTION]: ServerConnection<WebSocket> | undefined = undefined;
}

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
  connection?.server?.closed(connection);
}

function onSocketMessage(this: SocketWithConnection, data: RawData, isBinary: boolean): void {
  const connection = this[CONNECTION];
  connection?.server?.frame(connection, isBinary ? undefined : data.toString(), byteLength(data));
}
