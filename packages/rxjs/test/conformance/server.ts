import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  collective2,
  InvalidParameterError,
  MandatoryParamEmptyOrMalformedError,
  PingTimeoutError,
  TooManyConnectionsError,
  TooManyRequestsError,
  UnauthorizedError,
} from "@ws-errors/core/catalogs/collective2";
import { AuthFailedError, escaRates, UnknownSymbolError } from "@ws-errors/core/catalogs/esca-rates";
import { WsErrorServer } from "@ws-errors/node";

/**
 * The server of the client conformance suite: each scenario is a query (`?s=<scenario>&id=<run>`),
 * so a browser, which cannot set headers, drives it as well as Node does. Per run it counts
 * attempts and messages, which the suite checks.
 */
export interface ScenarioServer {
  readonly url: string;
  /** Upgrade attempts and messages seen for one run. */
  seen(id: string): { attempts: number; messages: number; urls: string[] };
  close(): Promise<void>;
}

export async function startScenarioServer(): Promise<ScenarioServer> {
  const runs = new Map<string, { attempts: number; messages: number; urls: string[] }>();
  const run = (url: URL) => {
    const id = url.searchParams.get("id") ?? "";
    let r = runs.get(id);
    if (!r) runs.set(id, (r = { attempts: 0, messages: 0, urls: [] }));
    return r;
  };
  const quiet = { error: () => undefined, warn: () => undefined };

  const c2 = new WsErrorServer({
    codec: collective2,
    logger: quiet,
    authenticate({ url }) {
      const r = run(url);
      r.attempts++;
      r.urls.push(url.search);
      const s = url.searchParams.get("s");
      if (s === "unauthorized") throw new UnauthorizedError();
      if (s === "full" && r.attempts === 1) throw new TooManyConnectionsError();
      return { key: "k" };
    },
    onConnection(connection) {
      const url = new URL(connection.request.url ?? "/", "http://x");
      const r = run(url);
      const s = url.searchParams.get("s");
      if (s === "crash" && r.attempts === 1) setTimeout(() => connection.close(1011, ""), 20);
      // An instance going away in a deploy: what WsErrorServer.close() sends its connections.
      if (s === "away" && r.attempts === 1) {
        void (async () => {
          for (let seq = 1; seq <= 3; seq++) await connection.send({ msg_type: "strategy.signal", seq_id: seq, payload: {} });
          connection.close(1001, "Server shutting down");
        })();
      }
      if (s === "evict" && r.attempts === 1) {
        void (async () => {
          for (let seq = 1; seq <= 5; seq++) await connection.send({ msg_type: "strategy.signal", seq_id: seq, payload: {} });
          connection.closeWith(new PingTimeoutError());
        })();
      }
    },
    onMessage(message, connection) {
      const url = new URL(connection.request.url ?? "/", "http://x");
      const r = run(url);
      r.messages++;
      const s = url.searchParams.get("s");
      const data = message.data as { msg_type?: string; payload?: { resume_from?: string } };
      if (s === "busy" && r.messages === 1) throw new TooManyRequestsError();
      if (s === "invalid")
        throw [
          new MandatoryParamEmptyOrMalformedError({ field: "payload.action" }),
          new MandatoryParamEmptyOrMalformedError({ field: "payload.channel" }),
          new InvalidParameterError({ field: "payload.strategy_id" }),
        ];
      if (s === "away" && data.payload?.resume_from !== undefined) {
        void (async () => {
          for (let seq = Number(data.payload?.resume_from); seq <= 6; seq++) await connection.send({ msg_type: "strategy.signal", seq_id: seq, payload: {} });
        })();
        return undefined;
      }
      if (s === "evict" && data.payload?.resume_from !== undefined) {
        // The replay overlaps what the client has (4, 5): it must drop those.
        void (async () => {
          for (let seq = 4; seq <= 8; seq++) await connection.send({ msg_type: "strategy.signal", seq_id: seq, payload: {} });
        })();
        return undefined;
      }
      return { msg_type: "ack", request_id: message.requestId };
    },
  });

  const esca = new WsErrorServer({
    codec: escaRates,
    logger: quiet,
    authenticate({ url }) {
      const r = run(url);
      r.attempts++;
      r.urls.push(url.search);
      return { key: url.searchParams.get("key") ?? "k" };
    },
    onConnection(connection) {
      const url = new URL(connection.request.url ?? "/", "http://x");
      // A revoked key: Esca's auth_failed frame, then close 4001.
      if (url.searchParams.get("s") === "revoke" && url.searchParams.get("key") === "old") setTimeout(() => connection.fail(new AuthFailedError()), 20);
      if (url.searchParams.get("s") === "gone" && run(url).attempts === 1) setTimeout(() => connection.close(1001, "Server shutting down"), 20);
    },
    commands: {
      subscribe: (message) => {
        const pairs = (message.data as { pairs?: string[] }).pairs ?? [];
        if (pairs.includes("XAU/USD")) throw new UnknownSymbolError({ message: "Unsupported symbol XAU/USD" });
        return { method: "subscribe", success: true, req_id: message.requestId };
      },
    },
  });

  const http: Server = createServer((_req, res) => res.writeHead(426).end());
  http.on("upgrade", (request, socket, head) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const server = path === "/collective2" ? c2 : path === "/esca" ? esca : undefined;
    if (server) void server.handleUpgrade(request, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    seen: (id) => runs.get(id) ?? { attempts: 0, messages: 0, urls: [] },
    async close() {
      await Promise.all([c2.close(), esca.close()]);
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}
