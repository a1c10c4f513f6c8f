import { ServerEngine, type ServerEngineOptions } from "../index";
import type { Transport } from "../transport";
import { type FetchUpgradeRequest, upgradeRequired } from "./fetch";
import { admitFetch, offRoute, type SocketSlot, socketClosed, socketMessage, socketOpened } from "./glue";

/** What a Bun `ServerWebSocket` carries in `ws.data` for this server: the upgrade until it opens, then its connection. */
export type BunSocketData = SocketSlot<BunWebSocket>;

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
    const admitted = await admitFetch(this, request, server.requestIP(request)?.address ?? "");
    if (admitted instanceof Response) return admitted;
    if (server.upgrade(request, { data: admitted })) return undefined;
    if (admitted.context) this.abandon(admitted.context);
    return upgradeRequired();
  }

  /** `Bun.serve`'s `fetch`: WebSocket upgrades to `path` (any path without one); 426 or 404 for anything else. */
  readonly fetch = async (request: Request, server: BunServerLike): Promise<Response | undefined> =>
    offRoute(request, this.path) ?? this.upgrade(request, server);

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
  open: (socket: BunWebSocket): void => socketOpened(socket, socket.data, bunTransport),
  message: (socket: BunWebSocket, message: string | Uint8Array): void => socketMessage(socket.data, message),
  // A pong is a sign of life for the heartbeat policy, as the socket's byte count is on Node.
  pong: (socket: BunWebSocket): void => socket.data.connection?.counted(1),
  close: (socket: BunWebSocket): void => socketClosed(socket.data),
};

export type { FetchUpgradeRequest } from "./fetch";
