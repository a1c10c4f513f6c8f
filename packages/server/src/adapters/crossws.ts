import { ServerEngine, type ServerEngineOptions } from "../index";
import type { Transport } from "../transport";
import type { FetchUpgradeRequest } from "./fetch";
import { admitFetch, type SocketSlot, socketClosed, socketMessage, socketOpened } from "./glue";

/** The part of a crossws `Peer` the adapter uses (typed by shape: crossws is not a dependency). */
export interface CrosswsPeer {
  readonly context: Record<string, unknown>;
  readonly remoteAddress?: string | undefined;
  readonly bufferedAmount?: number;
  readonly websocket: { readonly readyState?: number | undefined };
  send(data: unknown): unknown;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping?(data?: unknown): unknown;
}

/** The hooks {@link crosswsHooks} returns: pass them to crossws as they are, or spread them into your own. */
export interface CrosswsHooks {
  upgrade(request: Request & { readonly ip?: string }): Promise<Response | { context: Record<string, unknown> }>;
  open(peer: CrosswsPeer): void;
  message(peer: CrosswsPeer, message: { readonly rawData: unknown }): void;
  close(peer: CrosswsPeer): void;
  error(peer: CrosswsPeer, error: unknown): void;
}

const SLOT = "wsErrors";

function slotOf(peer: CrosswsPeer): SocketSlot<CrosswsPeer> | undefined {
  return peer.context[SLOT] as SocketSlot<CrosswsPeer> | undefined;
}

const peerTransport: Transport<CrosswsPeer> = {
  send: (peer, text, done) => {
    peer.send(text);
    done?.();
  },
  close: (peer, code, reason) => peer.close(code, reason),
  terminate: (peer) => peer.terminate(),
  bufferedAmount: (peer) => peer.bufferedAmount ?? 0,
  isOpen: (peer) => peer.websocket.readyState === 1,
  ping: (peer) => void peer.ping?.(),
};

export type CrosswsErrorServerOptions = ServerEngineOptions<FetchUpgradeRequest, CrosswsPeer>;

/**
 * The ws-errors server as crossws hooks, so h3, Nitro and Nuxt (and crossws on Node, Bun, Deno or
 * Cloudflare) answer upgrades, commands and closes as the catalog says: the same engine as
 * `WsErrorServer` on Node. A refused upgrade is the catalog's `Response`; the connection rides in
 * `peer.context`.
 *
 * @example
 * ```ts
 * import { CrosswsErrorServer } from "@ws-errors/server/crossws";
 * import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
 *
 * const rates = new CrosswsErrorServer({ codec: escaRates, commands: { subscribe: () => ({ method: "subscribe", success: true }) } });
 * export const hooks = rates.hooks; // defineWebSocketHandler(rates.hooks) in h3, or crossws({ hooks: rates.hooks })
 * ```
 */
export class CrosswsErrorServer extends ServerEngine<FetchUpgradeRequest, CrosswsPeer> {
  /** The crossws hooks: `upgrade`, `open`, `message`, `close`, `error`. */
  readonly hooks: CrosswsHooks;

  constructor(options: CrosswsErrorServerOptions) {
    super(options, peerTransport, "@ws-errors/server/crossws");
    this.hooks = {
      upgrade: async (request) => {
        const admitted = await admitFetch(this, request, request.ip ?? "");
        // crossws sends a returned Response as the upgrade's answer.
        if (admitted instanceof Response) return admitted;
        return { context: { [SLOT]: admitted } };
      },
      open(peer) {
        const slot = slotOf(peer);
        if (!slot) return;
        slot.peer ||= peer.remoteAddress;
        socketOpened(peer, slot, peerTransport);
      },
      message(peer, message) {
        const slot = slotOf(peer);
        if (slot) socketMessage(slot, message.rawData as string | Uint8Array);
      },
      close(peer) {
        const slot = slotOf(peer);
        if (slot) socketClosed(slot);
      },
      error(peer, error) {
        slotOf(peer)?.connection?.server?.logger.warn("socket error", { error });
      },
    };
  }
}

export type { FetchUpgradeRequest } from "./fetch";
