/**
 * What the engine needs of a runtime's accepted WebSocket, as functions over the socket: one
 * object per server, never one per connection (a wrapper per socket would cost an idle connection
 * more than the rest of what it holds).
 *
 * Each adapter (`ws`, Bun, Deno, Durable Objects, crossws) supplies one; everything the catalog
 * decides stays in the engine.
 *
 * @example
 * ```ts
 * const standard: Transport<WebSocket> = {
 *   send: (socket, text) => socket.send(text),
 *   close: (socket, code, reason) => socket.close(code, reason),
 *   terminate: (socket) => socket.close(),
 *   bufferedAmount: (socket) => socket.bufferedAmount,
 *   isOpen: (socket) => socket.readyState === 1,
 * };
 * ```
 */
export interface Transport<S = unknown> {
  /**
   * Queues a text frame. `done` runs once the runtime has written it, where it can tell; otherwise
   * as soon as it is queued.
   */
  send(socket: S, text: string, done?: (error?: Error) => void): void;
  /** Starts the closing handshake with this code and reason. */
  close(socket: S, code: number, reason: string): void;
  /** Drops the connection without waiting for the peer's close (the best the runtime offers). */
  terminate(socket: S): void;
  /** Bytes queued for the peer and not yet written. */
  bufferedAmount(socket: S): number;
  /** Whether frames can still be sent (the socket is OPEN). */
  isOpen(socket: S): boolean;
  /** Stops reading the peer's frames, where the runtime can (back-pressure on a flooding client). */
  pause?(socket: S): void;
  resume?(socket: S): void;
  isPaused?(socket: S): boolean;
  /** Sends a WebSocket ping, where the runtime lets a server send one. */
  ping?(socket: S): void;
  /**
   * Bytes the peer has sent, pongs included, where the runtime counts them; otherwise the engine
   * counts the frames it hands over (a pong is then no sign of life: send heartbeats the client answers).
   */
  bytesRead?(socket: S): number;
}

/**
 * The transport of a socket with the WHATWG `WebSocket` methods (Deno's, workerd's, a browser's):
 * no ping, no pause, and `close()` as the only way to drop it.
 *
 * @example
 * ```ts
 * new ServerEngine({ codec }, standardTransport);
 * ```
 */
export const standardTransport: Transport<StandardServerSocket> = {
  send: (socket, text, done) => {
    socket.send(text);
    done?.();
  },
  close: (socket, code, reason) => socket.close(code, reason),
  terminate: (socket) => {
    try {
      socket.close();
    } catch {
      // Already closed.
    }
  },
  bufferedAmount: (socket) => socket.bufferedAmount ?? 0,
  isOpen: (socket) => socket.readyState === 1,
};

/** The part of a standard `WebSocket` {@link standardTransport} uses. */
export interface StandardServerSocket {
  readonly readyState: number;
  readonly bufferedAmount?: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/**
 * Lets a timer not keep the process alive, on every runtime: Node's and Bun's timers have
 * `unref()`, Deno's are numbers unref'd through `Deno.unrefTimer`, and Workers have no process to
 * keep alive.
 */
export function unrefTimer(timer: unknown): void {
  if (typeof timer === "object" && timer !== null && "unref" in timer) (timer as { unref(): void }).unref();
  else (globalThis as { Deno?: { unrefTimer?(id: unknown): void } }).Deno?.unrefTimer?.(timer);
}
