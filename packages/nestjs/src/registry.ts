import type { WsError } from "@ws-errors/core";
import type { ServerConnection, WsErrorServer } from "@ws-errors/node";
import type { WebSocket } from "ws";

/* Which WsErrorServer accepted a socket: the filter finds the connection of the client it is given. */
const servers = new Set<WsErrorServer>();

export function register(server: WsErrorServer): void {
  servers.add(server);
}

export function unregister(server: WsErrorServer): void {
  servers.delete(server);
}

export function connectionOf(socket: WebSocket): ServerConnection | undefined {
  return serverAndConnectionOf(socket)?.connection;
}

/** The server that accepted a socket, with its connection: the filter maps errors and logs through that server. */
export function serverAndConnectionOf(socket: WebSocket): { server: WsErrorServer; connection: ServerConnection } | undefined {
  for (const server of servers) {
    const connection = server.connectionOf(socket);
    if (connection) return { server, connection };
  }
  return undefined;
}

/* The catalog error the filter answered a command with, while the adapter dispatches it: Nest's own
   exception handling resolves the handler's call either way, so this is how the adapter tells a
   failed command from one that succeeded (for its duration metric and span). Held only during a
   dispatch. */
const filtered = new WeakMap<ServerConnection, WsError>();

export function noteFiltered(connection: ServerConnection, error: WsError): void {
  filtered.set(connection, error);
}

export function takeFiltered(connection: ServerConnection): WsError | undefined {
  const error = filtered.get(connection);
  filtered.delete(connection);
  return error;
}
