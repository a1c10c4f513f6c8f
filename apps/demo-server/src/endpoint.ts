import type { ServerConnection, WsErrorServer } from "@ws-errors/node";

/** One demo API: the path it answers at, its server, and its timers to stop. */
export interface Endpoint {
  readonly name: string;
  readonly path: string;
  readonly server: WsErrorServer;
  dispose(): Promise<void>;
}

/** Runs `tick` every `ms` while the endpoint lives; the timer never keeps the process alive. */
export function every(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** A set kept on the connection under `key` (subscribed symbols, channels), created on first use. */
export function connectionSet<T>(connection: ServerConnection, key: string): Set<T> {
  let set = connection.state.get(key) as Set<T> | undefined;
  if (!set) connection.state.set(key, (set = new Set<T>()));
  return set;
}
