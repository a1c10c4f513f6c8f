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
