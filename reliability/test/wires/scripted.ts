import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Codec, ResubscribeEvent, WsError } from "@ws-errors/core";
import { connect, type Decision } from "@ws-errors/node";
import { wsErrorsConnection } from "@ws-errors/rxjs";
import { WebSocket, WebSocketServer } from "ws";

/**
 * A server as a real API writes its wire, not through ws-errors: a plain `ws` server whose script
 * answers each connection and each message by hand, so a client facade meets frames exactly as
 * another implementation sends them.
 */
export interface Scripted {
  readonly url: string;
  /** Connections accepted so far, with the URL each asked for. */
  readonly connections: { readonly url: string; readonly socket: WebSocket }[];
  close(): Promise<void>;
}

export interface Script {
  open?(socket: WebSocket, request: IncomingMessage, index: number): void;
  message?(message: Record<string, unknown>, socket: WebSocket, index: number): void;
}

export async function scripted(script: Script): Promise<Scripted> {
  const http = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server: http });
  const connections: { url: string; socket: WebSocket }[] = [];
  wss.on("connection", (socket, request) => {
    const index = connections.push({ url: request.url ?? "", socket }) - 1;
    socket.on("message", (data) => {
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      script.message?.(message as Record<string, unknown>, socket, index);
    });
    script.open?.(socket, request, index);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    connections,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A `WsErrorServer` on a loopback port: the server side of a wire, written by ws-errors itself. */
export { serve as served } from "../catalog-space/conformance";

/** What a client facade saw and decided, and how to use it. */
export interface Client {
  /** Data frames, parsed, in the order they arrived. */
  readonly messages: unknown[];
  readonly errors: WsError[];
  readonly decisions: Decision[];
  /** Settles when the client gives up for good (its last decision was to stop). */
  readonly stopped: Promise<void>;
  request(message: Record<string, unknown> | readonly unknown[]): Promise<unknown>;
  send(text: string): void;
  close(): void;
}

/** What a test gives either facade: the hooks get the facade's own `send` and `request`. */
export interface FacadeOptions {
  readonly reconnect?: { initialMs: number; maxMs: number } | false;
  readonly requestTimeoutMs?: number;
  readonly reauthenticate?: (error: WsError, client: Pick<Client, "send" | "request">) => void | Promise<void>;
  readonly resubscribe?: (event: ResubscribeEvent, client: Pick<Client, "send" | "request">) => void | Promise<void>;
}

/** The Node facade (`connect`) and the RxJS one (`wsErrorsConnection` on `ws`), seen the same way. */
export const FACADES: Readonly<Record<string, (url: string | ((attempt: number) => string), codec: Codec<WsError>, options?: FacadeOptions) => Client>> = {
  node(url, codec, options = {}) {
    const { reauthenticate, resubscribe } = options;
    const client = connect(url, {
      codec,
      reconnect: options.reconnect ?? false,
      requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
      ...(reauthenticate && { reauthenticate: (error) => reauthenticate(error, seen) }),
      ...(resubscribe && { resubscribe: (event) => resubscribe(event, seen) }),
    });
    const seen: Client = {
      messages: [],
      errors: [],
      decisions: [],
      stopped: new Promise((resolve) => client.once("stopped", () => resolve())),
      request: (m) => client.request(m),
      send: (text) => client.send(text),
      close: () => client.close(),
    };
    client.on("catalog-error", (e) => seen.errors.push(e));
    client.on("message", (m) => seen.messages.push(m));
    client.on("decision", (d) => seen.decisions.push(d));
    return seen;
  },
  rxjs(url, codec, options = {}) {
    const { reauthenticate, resubscribe } = options;
    const connection = wsErrorsConnection(url, {
      codec,
      reconnect: options.reconnect ?? false,
      requestTimeoutMs: options.requestTimeoutMs ?? 2_000,
      createSocket: (u) => new WebSocket(u),
      ...(reauthenticate && { reauthenticate: (error) => reauthenticate(error, seen) }),
      ...(resubscribe && { resubscribe: (event) => resubscribe(event, seen) }),
    });
    let stop = () => undefined as void;
    const seen: Client & { subs: { unsubscribe(): void }[] } = {
      messages: [],
      errors: [],
      decisions: [],
      stopped: new Promise((resolve) => {
        stop = resolve;
      }),
      send: (text) => connection.send(text),
      subs: [],
      request: (m) => new Promise((resolve, reject) => seen.subs.push(connection.request(m).subscribe({ next: resolve, error: reject }))),
      close: () => {
        for (const s of seen.subs) s.unsubscribe();
      },
    };
    seen.subs.push(connection.errors$.subscribe((e) => seen.errors.push(e)));
    seen.subs.push(connection.decisions$.subscribe((d) => seen.decisions.push(d as Decision)));
    // The connection lives while something listens: messages$ keeps it open between requests.
    seen.subs.push(connection.messages$.subscribe({ next: (m) => seen.messages.push(m), error: () => stop(), complete: () => stop() }));
    return seen;
  },
};
