import { type ServerConnection, type ServerEngine, type ServerEngineOptions, unrefTimer } from "@ws-errors/server";

/** One demo API: the path it answers at, its server, and its timers to stop. */
export interface Endpoint {
  readonly name: string;
  readonly path: string;
  // biome-ignore lint/suspicious/noExplicitAny: the runtime's server (WsErrorServer, BunErrorServer, DenoErrorServer)
  readonly server: ServerEngine<any, any>;
  dispose(): Promise<void>;
}

/**
 * Makes an endpoint's server on the runtime the demo runs on: `WsErrorServer` on Node, `BunErrorServer`
 * on Bun, `DenoErrorServer` on Deno. The endpoints only say what their API does.
 */
// biome-ignore lint/suspicious/noExplicitAny: each runtime's request and socket types
export type Serve = (options: ServerEngineOptions<any, any>) => ServerEngine<any, any>;

/** Runs `tick` every `ms` while the endpoint lives; the timer never keeps the process alive. */
export function every(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  unrefTimer(timer);
  return () => clearInterval(timer);
}

/** A set kept on the connection under `key` (subscribed symbols, channels), created on first use. */
export function connectionSet<T>(connection: ServerConnection, key: string): Set<T> {
  let set = connection.state.get(key) as Set<T> | undefined;
  if (!set) connection.state.set(key, (set = new Set<T>()));
  return set;
}
