import type { SocketLike } from "./session-shapes";

/* Socket plumbing of the client session: ws's own message event where there is one, and letting go. */

export interface Emitter {
  on(event: "message", listener: (data: unknown, isBinary: boolean) => void): unknown;
  off(event: "message", listener: (data: unknown, isBinary: boolean) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
}

export const EMITTER_LISTENERS = new WeakMap<SocketLike, (data: unknown, isBinary: boolean) => void>();

/* A `ws` WebSocket (an EventEmitter as well as an EventTarget), whose "message" event gives the
   data as is; browsers' sockets, and wrappers that only drive `onmessage`, are not. */
export function eventEmitterOf(socket: SocketLike): Emitter | undefined {
  const candidate = socket as unknown as Partial<Emitter> & { binaryType?: unknown };
  return typeof candidate.on === "function" && typeof candidate.off === "function" && typeof candidate.emit === "function" && "binaryType" in candidate
    ? (candidate as Emitter)
    : undefined;
}

/* Stops listening to a socket; `onerror` stays a no-op because `ws` emits "error" when a socket
   still connecting is closed, and an EventEmitter "error" with no listener throws. */
export function detach(socket: SocketLike): void {
  const onMessage = EMITTER_LISTENERS.get(socket);
  if (onMessage) {
    EMITTER_LISTENERS.delete(socket);
    (socket as unknown as Emitter).off("message", onMessage);
  }
  socket.onopen = socket.onmessage = socket.onclose = null;
  socket.onerror = () => undefined;
}

export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
