import { type Admission, type ServerEngineOptions, ServerEngine, type Refusal, type UpgradeContext } from "../index";
import type { ServerConnection } from "../server-connection";
import type { Transport } from "../transport";
import { utf8Length } from "../utf8";
import { type FetchUpgradeRequest, fetchHead, isUpgrade, refusalResponse, upgradeRequired } from "./fetch";

/** What a Bun `ServerWebSocket` carries in `ws.data` for this server: the upgrade until it opens, then its connection. */
export interface BunSocketData {
  context?: UpgradeContext<FetchUpgradeRequest> | undefined;
  refusal?: Refusal | undefined;
  connection?: ServerConnection<BunWebSocket> | undefined;
}

/** The part of Bun's `ServerWebSocket` the adapter uses (typed by shape: no dependency on Bun's types). */
export interface BunWebSocket {
  readonly data: BunSocketData;
  readonly readyState: number;
  readonly remoteAddress: string;
  send(data: string, compress?: boolean): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): number;
  getBufferedAmount(): number;
  pause?(): void;
  resume?(): void;
  readonly isPaused?: boolean;
}

/** The part of Bun's `Server` the adapter uses. */
export interface BunServerLike {
  upgrade(request: Request, options: { data: BunSocketData }): boolean;
  requestIP(request: Request): { readonly address: string } | null;
}

const bunTransport: Transport<BunWebSocket> = {
  // Bun queues what the socket cannot take yet (send answers -1) and counts it in
  // getBufferedAmount, which is what the engine's queue limit reads.
  send: (socket, text, done) => {
    socket.send(text);
    done?.();
  },
  close: (socket, code, reason) => socket.close(code, reason),
  terminate: (socket) => socket.terminate(),
  bufferedAmount: (socket) => socket.getBufferedAmount(),
  isOpen: (socket) => socket.readyState === 1,
  pause: (socket) => socket.pause?.(),
  resume: (socket) => socket.resume?.(),
  isPaused: (socket) => socket.isPaused === true,
  ping: (socket) => void socket.ping(),
};

export interface BunErrorServerOptions extends ServerEngineOptions<FetchUpgradeRequest, BunWebSocket> {
  /** Only upgrades to this path are handled; `fetch` answers others 404. */
  readonly path?: string;
  /** Largest accepted message, in bytes (default 1 MiB); Bun closes with 1009 past it. */
  readonly maxPayload?: number;
}

/**
 * The ws-errors server on `Bun.serve`: the same engine as `WsErrorServer` on Node, its upgrades
 * refused with the catalog's `Response`, its connections kept in `ws.data`.
 *
 * @example
 * ```ts
 * import { apiKey } from "@ws-errors/server";
 * import { BunErrorServer } from "@ws-errors/server/bun";
 * import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
 *
 * const rates = new BunErrorServer({
 *   codec: escaRates,
 *   path: "/v1/rates",
 *   policies: [apiKey({ from: { header: "x-api-key" }, verify: (key) => key === "demo-key" })],
 *   commands: { subscribe: () => ({ method: "subscribe", success: true }) },
 * });
 * Bun.serve({ port: 8080, fetch: rates.fetch, websocket: rates.websocket });
 * ```
 */
export class BunErrorServer extends ServerEngine<FetchUpgradeRequest, BunWebSocket> {
  private readonly path: string | undefined;

  constructor(options: BunErrorServerOptions) {
    super(options, bunTransport, "@ws-errors/server/bun");
    this.path = options.path;
    this.websocket = { ...bunWebSocket, maxPayloadLength: options.maxPayload ?? 1024 * 1024 };
  }

  /**
   * Runs the upgrade's checks and upgrades it: undefined once Bun has taken the request over,
   * else the catalog's refusal as a `Response`. For a `fetch` of your own that routes other requests.
   */
  async upgrade(request: Request, server: BunServerLike): Promise<Response | undefined> {
    const head = fetchHead(request);
    const admission: Admission<FetchUpgradeRequest> = await this.admit(head, server.requestIP(request)?.address ?? "");
    if (admission.refusal && !admission.refusal.close) return refusalResponse(admission.refusal);
    const data: BunSocketData = admission.refusal ? { refusal: admission.refusal } : { context: admission.context };
    if (server.upgrade(request, { data })) return undefined;
    if (admission.context) this.abandon(admission.context);
    return upgradeRequired();
  }

  /** `Bun.serve`'s `fetch`: WebSocket upgrades to `path` (any path without one); 426 or 404 for anything else. */
  readonly fetch = async (request: Request, server: BunServerLike): Promise<Response | undefined> => {
    if (this.path !== undefined && new URL(request.url).pathname !== this.path) return new Response("Not Found", { status: 404 });
    if (!isUpgrade(request)) return upgradeRequired();
    return this.upgrade(request, server);
  };

  /** `Bun.serve`'s `websocket` handlers (the same for every BunErrorServer: one `Bun.serve` may route to several). */
  readonly websocket: typeof bunWebSocket;
}

/**
 * The `websocket` handlers of `Bun.serve` for every BunErrorServer it routes to: each socket's
 * `ws.data` leads to its own server, so one Bun server can hold endpoints of several catalogs.
 *
 * @example
 * ```ts
 * Bun.serve({ fetch: (request, server) => endpoints.get(new URL(request.url).pathname)?.fetch(request, server), websocket: bunWebSocket });
 * ```
 */
export const bunWebSocket = {
  maxPayloadLength: 1024 * 1024,
  open(socket: BunWebSocket): void {
    const { refusal, context } = socket.data;
    socket.data.refusal = undefined;
    socket.data.context = undefined;
    if (refusal?.close) {
      if (refusal.frame !== undefined) socket.send(refusal.frame);
      socket.close(refusal.close.code, refusal.close.reason);
      return;
    }
    if (!context) return void socket.close(1011, "");
    const engine = context.server as unknown as BunErrorServer;
    const connection = engine.open(socket, context, socket.remoteAddress);
    socket.data.connection = connection;
    if (connection.isOpen) engine.opened(connection);
  },
  message(socket: BunWebSocket, message: string | Uint8Array): void {
    const connection = socket.data.connection;
    if (!connection?.server) return;
    if (typeof message === "string") connection.server.frame(connection, message, utf8Length(message));
    else connection.server.frame(connection, undefined, message.byteLength);
  },
  // A pong is a sign of life for the heartbeat policy, as the socket's byte count is on Node.
  pong(socket: BunWebSocket): void {
    socket.data.connection?.counted(1);
  },
  close(socket: BunWebSocket): void {
    const { connection, context } = socket.data;
    if (connection) connection.server?.closed(connection);
    // Gone before it opened: what the checks took is given back.
    else if (context) context.server.abandon(context);
  },
};

export type { FetchUpgradeRequest } from "./fetch";
