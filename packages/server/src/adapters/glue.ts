import type { Admission, Refusal, UpgradeContext } from "../engine";
import type { ServerConnection } from "../server-connection";
import type { Transport } from "../transport";
import { utf8Length } from "../utf8";
import { type FetchUpgradeRequest, fetchHead, isUpgrade, refusalResponse, upgradeRequired } from "./fetch";

/**
 * What a runtime's socket carries for the engine (Bun's `ws.data`, a field on a standard socket):
 * the upgrade's admission until the socket opens, then its connection.
 */
export interface SocketSlot<S = unknown> {
  context?: UpgradeContext<FetchUpgradeRequest> | undefined;
  refusal?: Refusal | undefined;
  connection?: ServerConnection<S> | undefined;
  /** The peer's address, from the upgrade until the socket opens. */
  peer?: string | undefined;
}

/*
 * The socket events every Fetch-API runtime delivers, handed to the engine the same way: only how a
 * socket reaches its slot differs between Bun, Deno, workerd and crossws.
 */

/** The socket is open: a refusal said through the close is sent, or the admitted connection opened. */
export function socketOpened<S>(socket: S, slot: SocketSlot<S>, transport: Transport<S>): void {
  const { refusal, context, peer } = slot;
  slot.refusal = undefined;
  slot.context = undefined;
  slot.peer = undefined;
  if (refusal?.close) {
    if (refusal.frame !== undefined) transport.send(socket, refusal.frame);
    transport.close(socket, refusal.close.code, refusal.close.reason);
    return;
  }
  if (!context) return transport.close(socket, 1011, "");
  const engine = context.server;
  const connection = engine.open(socket, context, peer) as ServerConnection<S>;
  slot.connection = connection;
  if (connection.isOpen) engine.opened(connection);
}

/** A frame arrived: text as a string, binary as bytes. */
export function socketMessage<S>(slot: SocketSlot<S>, message: string | ArrayBuffer | ArrayBufferView): void {
  const connection = slot.connection;
  if (!connection?.server) return;
  if (typeof message === "string") connection.server.frame(connection, message, utf8Length(message));
  else connection.server.frame(connection, undefined, message.byteLength);
}

/** The socket closed: the connection's policies' `close` hooks, or an upgrade that never opened given back. */
export function socketClosed<S>(slot: SocketSlot<S>): void {
  const { connection, context } = slot;
  if (connection) connection.server?.closed(connection);
  else if (context) context.server.abandon(context);
}

/**
 * Runs an upgrade request's checks: the catalog's refusal as a `Response`, or the slot its socket
 * carries once the runtime upgrades it (an admission, or a refusal said through the close).
 */
export async function admitFetch(
  engine: { admit(request: FetchUpgradeRequest, peer: string): Promise<Admission<FetchUpgradeRequest>> },
  request: Request,
  peer: string,
): Promise<Response | SocketSlot<never>> {
  const admission = await engine.admit(fetchHead(request), peer);
  if (admission.refusal && !admission.refusal.close) return refusalResponse(admission.refusal);
  return admission.refusal ? { refusal: admission.refusal } : { context: admission.context, peer };
}

/** What a `fetch` answers before any check: 404 off the server's path, 426 for a request that is not an upgrade. */
export function offRoute(request: Request, path: string | undefined): Response | undefined {
  if (path !== undefined && new URL(request.url).pathname !== path) return new Response("Not Found", { status: 404 });
  return isUpgrade(request) ? undefined : upgradeRequired();
}
