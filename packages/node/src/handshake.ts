import type { IncomingMessage, Server } from "node:http";
import { isIP, type Socket } from "node:net";
import { addressKey, forwardedNodes } from "@ws-errors/server";

export interface HandshakeOptions {
  /**
   * How long a new TCP connection may take to deliver a complete upgrade (or HTTP) request before
   * it is answered `408 Request Timeout` and closed. Default 10 s; Node's own header timeout is a
   * minute and is checked only every 30 s.
   */
  readonly timeoutMs?: number;
  /**
   * Connections from one address that may be in their handshake at once; more are answered at once
   * with `rejection` (the catalog's rate-limited upgrade when attached by a {@link WsErrorServer})
   * and closed. Default 64.
   */
  readonly maxPendingPerAddress?: number;
  /** Status line, headers and body for connections over `maxPendingPerAddress`; default a bare 429. */
  readonly rejection?: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string };
}

/** What {@link guardHandshakes} applies when given nothing. */
export const HANDSHAKE_DEFAULTS = { timeoutMs: 10_000, maxPendingPerAddress: 64 } as const;

const GUARDED = new WeakSet<Server>();
/* Each socket's end of handshake, for as long as the handshake lasts: in a WeakMap, not on the
   socket, since a property added to a socket stays (as undefined) for the connection's life. */
const FINISH = new WeakMap<Socket, () => void>();

/**
 * Bounds what a connection can hold before its upgrade request is complete: a handshake timeout
 * (answered `408` and closed, so 2,000 stalled sockets do not linger for Node's 60-70 s) and a cap
 * on connections in their handshake per client address. Header size stays Node's `maxHeaderSize`
 * (16 KiB by default; pass a smaller one to `http.createServer`), answered `431` by Node.
 *
 * A {@link WsErrorServer} given `server` calls this itself; call it on the HTTP server you route
 * upgrades from when you use `handleUpgrade`. A second call on the same server does nothing.
 *
 * @example
 * ```ts
 * import { createServer } from "node:http";
 * import { guardHandshakes } from "@ws-errors/node";
 *
 * const http = createServer({ maxHeaderSize: 8 * 1024 });
 * guardHandshakes(http, { timeoutMs: 5_000, maxPendingPerAddress: 32 });
 * ```
 */
export function guardHandshakes(server: Server, options: HandshakeOptions = {}): void {
  if (GUARDED.has(server)) return;
  GUARDED.add(server);
  const timeoutMs = options.timeoutMs ?? HANDSHAKE_DEFAULTS.timeoutMs;
  const maxPending = options.maxPendingPerAddress ?? HANDSHAKE_DEFAULTS.maxPendingPerAddress;
  const pending = new Map<string, number>();
  const rejection = options.rejection ? responseText(options.rejection) : "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

  server.on("connection", (socket: Socket) => {
    // One IPv6 host holds a /64: its handshakes count together, as an IPv4 host's do.
    const address = addressKey(socket.remoteAddress ?? "");
    const count = (pending.get(address) ?? 0) + 1;
    if (count > maxPending) {
      socket.on("error", () => socket.destroy());
      socket.end(rejection);
      return;
    }
    pending.set(address, count);
    // Once the handshake is over, nothing of it stays with the socket (the timer, this closure):
    // an accepted connection lives for hours, and each would hold them.
    const finish = () => {
      if (!FINISH.delete(socket)) return;
      clearTimeout(timer);
      timer = undefined;
      socket.removeListener("close", finish);
      const left = (pending.get(address) ?? 1) - 1;
      if (left <= 0) pending.delete(address);
      else pending.set(address, left);
    };
    let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(() => {
      finish();
      if (socket.destroyed) return;
      socket.on("error", () => socket.destroy());
      socket.end("HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
      // A peer that does not read our answer must not keep the socket either.
      setTimeout(() => socket.destroy(), 1_000).unref();
    }, timeoutMs);
    timer.unref();
    FINISH.set(socket, finish);
    socket.once("close", finish);
  });
  // The request head is complete: the handshake is over, whatever the checks after it decide.
  const done = (request: IncomingMessage) => FINISH.get(request.socket)?.();
  server.prependListener("request", done);
  server.prependListener("upgrade", (request: IncomingMessage, socket: Socket) => {
    done(request);
    // Node ends upgrades nobody listens for; with this listener alone it would not.
    if (server.listenerCount("upgrade") === 1) socket.destroy();
  });
}

function responseText(response: NonNullable<HandshakeOptions["rejection"]>): string {
  const body = Buffer.from(response.body);
  const lines = [`HTTP/1.1 ${response.status} ${response.status === 429 ? "Too Many Requests" : "Error"}`];
  for (const [name, value] of Object.entries(response.headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.length}`, "connection: close", "", "");
  return lines.join("\r\n") + response.body;
}

/**
 * Reads the client address from a proxy header, trusting only the `hops` nearest proxies: with one
 * proxy in front (`hops: 1`), the address is the last entry of `X-Forwarded-For`, which that proxy
 * appended; entries further left were written by the client and prove nothing. `header:
 * "forwarded"` reads the standard `Forwarded` header (RFC 7239) instead, its `for=` nodes counted
 * the same way. Read only the header your proxy writes: one it passes through unchanged is the
 * client's to forge. Falls back to the socket's address when the header is missing or malformed
 * (an obfuscated or `unknown` node included).
 *
 * @example
 * ```ts
 * new WsErrorServer({ codec, server, clientAddress: forwardedFor({ hops: 1 }) });
 * new WsErrorServer({ codec, server, clientAddress: forwardedFor({ header: "forwarded" }) });
 * ```
 */
export function forwardedFor(options: { readonly header?: string; readonly hops?: number } = {}): (request: IncomingMessage) => string {
  const header = (options.header ?? "x-forwarded-for").toLowerCase();
  const hops = Math.max(1, options.hops ?? 1);
  return (request) => {
    const value = request.headers[header];
    const joined = Array.isArray(value) ? value.join(",") : (value ?? "");
    // A Forwarded element without `for=` still counts as a hop: its node is kept, empty.
    const list =
      header === "forwarded"
        ? forwardedNodes(joined)
        : joined
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean);
    const candidate = list[list.length - hops];
    return candidate !== undefined && isIP(candidate) !== 0 ? candidate : socketAddress(request);
  };
}

/** The peer address of the request's socket: the default client address. */
export function socketAddress(request: IncomingMessage): string {
  return request.socket.remoteAddress ?? "";
}
