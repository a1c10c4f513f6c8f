import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { guardHandshakes, memoryState, type SharedState, WsErrorServer } from "@ws-errors/node";
import type { AddressInfo } from "node:net";
import { demoEndpoints } from "./demo";
import type { Endpoint } from "./endpoint";
import { REAL_TIMING, type Timing } from "./keys";

export { DEMO_KEY, REVOKED_KEY, REVOKE_AFTER_MS, FAST_TIMING, REAL_TIMING, isKnownKey, stillValid, type Timing } from "./keys";
export { STRATEGY_ID, signalSubscription } from "./collective2";
export { prometheusMetrics } from "./metrics";

export interface DemoServers {
  readonly port: number;
  readonly endpoints: readonly Endpoint[];
  /** `ws://127.0.0.1:PORT` */
  readonly url: string;
  readonly state: SharedState;
  close(): Promise<void>;
}

/**
 * Every demo API on one port: Infoway at /infoway/ws, TickDB at /tickdb/v1/realtime, Collective2
 * at /collective2/ws, Esca at /esca/v1/rates. Other paths get 404.
 *
 * @example
 * ```ts
 * const demo = await startDemoServers({ port: 8080 });
 * ```
 */
export async function startDemoServers(
  options: {
    port?: number;
    host?: string;
    timing?: Timing;
    handshakeTimeoutMs?: number;
    state?: SharedState;
    /** Answers `GET /metrics` (Prometheus' text format), when given. */
    metrics?: (request: IncomingMessage, response: ServerResponse) => void;
  } = {},
): Promise<DemoServers> {
  const timing = options.timing ?? REAL_TIMING;
  // One state for every API: keys are prefixed per catalog. With Redis, instances share it.
  const state = options.state ?? memoryState();
  const endpoints = demoEndpoints(timing, state, (serverOptions) => new WsErrorServer(serverOptions));
  const byPath = new Map(endpoints.map((e) => [e.path, e]));
  // Headers past 8 KiB are answered 431 by Node; handshakes must complete within 10 s.
  const http: Server = createServer({ maxHeaderSize: 8 * 1024 }, (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "GET" && url.pathname === "/metrics" && options.metrics) return options.metrics(req, res);
    // POST /revoke?key=KEY[&ttl_ms=N]: the demo's stand-in for a provider's admin API. Every instance sharing
    // the state closes that key's connections with its catalog's entry.
    if (req.method === "POST" && url.pathname === "/revoke" && url.searchParams.get("key")) {
      void Promise.resolve(state.revoke(url.searchParams.get("key") as string, Number(url.searchParams.get("ttl_ms") ?? 60_000))).then(
        () => res.writeHead(204).end(),
        () => res.writeHead(503).end(),
      );
      return;
    }
    res.writeHead(byPath.has(url.pathname) ? 426 : 404, { "content-type": "text/plain" });
    res.end(`ws-errors demo: WebSocket endpoints at ${[...byPath.keys()].join(", ")}\n`);
  });
  guardHandshakes(http, { timeoutMs: options.handshakeTimeoutMs ?? 10_000 });
  http.on("upgrade", (request, socket, head) => {
    const endpoint = byPath.get(new URL(request.url ?? "/", "http://x").pathname);
    if (endpoint) void (endpoint.server as WsErrorServer).handleUpgrade(request, socket, head);
    else socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 8080, host, resolve);
  });
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    endpoints,
    url: `ws://${host}:${port}`,
    state,
    async close() {
      await Promise.all(endpoints.map((e) => e.dispose()));
      if (!options.state) await state.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
