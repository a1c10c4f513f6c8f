import { ServerEngine, type ServerEngineOptions, standardTransport, type StandardServerSocket } from "../index";
import type { FetchUpgradeRequest } from "./fetch";
import { admitFetch, offRoute, type SocketSlot, socketClosed, socketMessage, socketOpened } from "./glue";

/** The part of the WebSocket `Deno.upgradeWebSocket` returns that the adapter uses (typed by shape). */
export interface DenoWebSocket extends StandardServerSocket {
  addEventListener(type: "open" | "close" | "error", listener: (this: DenoWebSocket) => void): void;
  addEventListener(type: "message", listener: (this: DenoWebSocket, event: { readonly data: unknown }) => void): void;
}

/** `Deno.serve`'s second argument, as far as the adapter reads it. */
export interface DenoServeInfo {
  readonly remoteAddr?: { readonly hostname?: string } | undefined;
}

interface DenoRuntime {
  upgradeWebSocket(request: Request, options?: { idleTimeout?: number }): { socket: DenoWebSocket; response: Response };
}

const SLOT = Symbol("ws-errors.slot");
type SlottedSocket = DenoWebSocket & { [SLOT]?: SocketSlot<DenoWebSocket> };

/* Listeners shared by every socket (the socket is `this`): no closure per connection. */
function onOpen(this: SlottedSocket): void {
  const slot = this[SLOT];
  if (slot) socketOpened(this, slot, standardTransport);
}
function onMessage(this: SlottedSocket, event: { readonly data: unknown }): void {
  const slot = this[SLOT];
  if (slot) socketMessage(slot, event.data as string | ArrayBuffer);
}
function onClose(this: SlottedSocket): void {
  const slot = this[SLOT];
  if (slot) socketClosed(slot);
}

export interface DenoErrorServerOptions extends ServerEngineOptions<FetchUpgradeRequest, DenoWebSocket> {
  /** Only upgrades to this path are handled; `fetch` answers others 404. */
  readonly path?: string;
  /** Seconds without a pong before Deno closes the socket (Deno pings on its own); Deno's default 120. */
  readonly idleTimeout?: number;
}

/**
 * The ws-errors server on `Deno.serve`: the same engine as `WsErrorServer` on Node, upgraded
 * with `Deno.upgradeWebSocket`, its refusals the catalog's `Response`s.
 *
 * @example
 * ```ts
 * import { apiKey } from "@ws-errors/server";
 * import { DenoErrorServer } from "@ws-errors/server/deno";
 * import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
 *
 * const rates = new DenoErrorServer({
 *   codec: escaRates,
 *   path: "/v1/rates",
 *   policies: [apiKey({ from: { header: "x-api-key" }, verify: (key) => key === "demo-key" })],
 * });
 * Deno.serve({ port: 8080 }, rates.fetch);
 * ```
 */
export class DenoErrorServer extends ServerEngine<FetchUpgradeRequest, DenoWebSocket> {
  private readonly path: string | undefined;
  private readonly idleTimeout: number | undefined;

  constructor(options: DenoErrorServerOptions) {
    super(options, standardTransport, "@ws-errors/server/deno");
    this.path = options.path;
    this.idleTimeout = options.idleTimeout;
  }

  /**
   * Runs the upgrade's checks and upgrades it: the `101` response for `Deno.serve` to return, or
   * the catalog's refusal. For a handler of your own that routes other requests.
   */
  async upgrade(request: Request, info?: DenoServeInfo): Promise<Response> {
    const admitted = await admitFetch(this, request, info?.remoteAddr?.hostname ?? "");
    if (admitted instanceof Response) return admitted;
    const deno = (globalThis as unknown as { Deno: DenoRuntime }).Deno;
    const { socket, response } = deno.upgradeWebSocket(request, this.idleTimeout === undefined ? {} : { idleTimeout: this.idleTimeout });
    (socket as SlottedSocket)[SLOT] = admitted;
    socket.addEventListener("open", onOpen);
    socket.addEventListener("message", onMessage);
    socket.addEventListener("close", onClose);
    return response;
  }

  /** `Deno.serve`'s handler: WebSocket upgrades to `path` (any path without one); 426 or 404 for anything else. */
  readonly fetch = async (request: Request, info?: DenoServeInfo): Promise<Response> => offRoute(request, this.path) ?? this.upgrade(request, info);
}

export type { FetchUpgradeRequest } from "./fetch";
