import { escaRates, UnknownSymbolError } from "@ws-errors/core/catalogs/esca-rates";
import { apiKey, attemptRate, connectionCap, recheck, revocation, slowConsumer, type ServerConnection, type SharedState } from "@ws-errors/server";
import { connectionSet, every, type Endpoint, type Serve } from "./endpoint";
import { isKnownKey, stillValid, type Timing } from "./keys";

const PAIRS = ["EUR/USD", "GBP/USD", "USD/JPY", "AUD/USD", "USD/CHF"];
const SUBSCRIBED = "esca.pairs";

const pairsOf = (connection: ServerConnection) => connectionSet<string>(connection, SUBSCRIBED);

/**
 * Esca FX rates at /esca/v1/rates: key in `X-Api-Key`; 5 connections per account and 60 attempts
 * a minute per address and per account (both 429 before the upgrade); `subscribe`/`unsubscribe` acknowledged with `req_id`;
 * credentials re-checked (a revoked key gets auth_failed); slow consumers dropped with rate_limited.
 */
export function escaEndpoint(timing: Timing, state: SharedState, serve: Serve): Endpoint {
  const codec = escaRates;
  const pairsCommand =
    (method: "subscribe" | "unsubscribe") => (message: { data: unknown; requestId: string | number | undefined }, connection: ServerConnection) => {
      const requested = (message.data as { pairs?: unknown }).pairs;
      const list = Array.isArray(requested) ? requested.filter((p): p is string => typeof p === "string") : [];
      const unknown = list.find((p) => !PAIRS.includes(p));
      if (unknown !== undefined || list.length === 0) throw new UnknownSymbolError({ message: `Unsupported symbol ${unknown ?? "(none given)"}` });
      for (const pair of list) method === "subscribe" ? pairsOf(connection).add(pair) : pairsOf(connection).delete(pair);
      return { method, success: true, req_id: message.requestId, pairs: [...pairsOf(connection)] };
    };
  const server = serve({
    codec,
    state,
    policies: [
      // "60 connection attempts a minute": counted per client address before the key check and per
      // account after it, so bad keys from one network never lock paying accounts out.
      attemptRate({ per: "address", limit: 60, windowMs: 60_000 }),
      apiKey({ from: { header: "x-api-key" }, verify: isKnownKey }),
      attemptRate({ per: "key", limit: 60, windowMs: 60_000 }),
      revocation(),
      // "5 concurrent connections per account (per server instance)".
      connectionCap({ perKey: 5, scope: "instance" }),
      recheck({ everyMs: timing.recheckMs, verify: (principal) => stillValid(principal, openedAt.get(principal) ?? Date.now(), timing.revokeAfterMs) }),
      slowConsumer({ maxStallMs: timing.slowStallMs, checkEveryMs: timing.slowCheckMs }),
    ],
    commands: { subscribe: pairsCommand("subscribe"), unsubscribe: pairsCommand("unsubscribe") },
    onConnection: (connection) => {
      if (connection.principal) openedAt.set(connection.principal, connection.openedAt);
    },
  });
  const openedAt = new WeakMap<object, number>();
  let tick = 0;
  const stop = every(timing.tickEveryMs, () => {
    tick++;
    for (const connection of server.connections) {
      for (const pair of pairsOf(connection)) {
        const mid = 1 + (PAIRS.indexOf(pair) + 1) / 10 + Math.sin(tick / 10) / 1000;
        void connection.send({ type: "rate", pair, bid: Number((mid - 0.0001).toFixed(5)), ask: Number((mid + 0.0001).toFixed(5)), ts: Date.now() });
      }
    }
  });
  return { name: "Esca FX rates", path: "/esca/v1/rates", server, dispose: async () => (stop(), server.close()) };
}
