import { infoway, MessageRateExceededError, MissingParametersError, SymbolQuotaExceededError } from "@ws-errors/core/catalogs/infoway";
import { apiKey, connectionCap, heartbeat, messageRate, type ServerConnection, type SharedState } from "@ws-errors/server";
import { connectionSet, every, type Endpoint, type Serve } from "./endpoint";
import { isKnownKey, type Timing } from "./keys";

const CODES = "infoway.codes";
const MAX_SYMBOLS = 10;

const codes = (connection: ServerConnection) => connectionSet<string>(connection, CODES);

/**
 * Infoway market data at /infoway/ws, in the frame layout the catalog chose (`{code, msg, trace}`):
 * key in the `apiKey` header or query parameter; at most 10 symbols (505); required fields (506);
 * JSON only (515); 5 connections per key (427, as HTTP 429); a heartbeat the client must send
 * (513, then close 4513); message rate (429).
 */
export function infowayEndpoint(timing: Timing, state: SharedState, serve: Serve): Endpoint {
  const server = serve({
    codec: infoway,
    state,
    policies: [
      apiKey({ from: [{ header: "apikey" }, { query: "apiKey" }], verify: isKnownKey }),
      connectionCap({ perKey: 5 }),
      // Infoway expects the client to send heartbeats: the server only listens for them.
      heartbeat({
        intervalMs: timing.heartbeatIntervalMs,
        timeoutMs: timing.heartbeatTimeoutMs,
        send: () => undefined,
        isAck: (m) => m.command === "heartbeat",
      }),
      // Message frequency over the plan is 429; 501 is the per-minute request limit.
      // Ten violations in ten seconds end the connection (429, then close 1008).
      messageRate({ limit: 10, windowMs: 1000, error: MessageRateExceededError, closeAfter: 10, violationWindowMs: 10_000 }),
      // No slowConsumer: Infoway's catalog has no slow-consumer entry, so its eviction could only
      // be a close the catalog does not say (the server refuses to start with one).
    ],
    commands: {
      subscribe: (message, connection) => {
        const data = (message.data as { data?: { codes?: unknown } }).data;
        if (!Array.isArray(data?.codes) || data.codes.length === 0) throw new MissingParametersError({ message: "codes is required" });
        if (codes(connection).size + data.codes.length > MAX_SYMBOLS) throw new SymbolQuotaExceededError();
        for (const code of data.codes) if (typeof code === "string") codes(connection).add(code);
        return { code: 200, msg: "ok", trace: message.requestId, data: { codes: [...codes(connection)] } };
      },
    },
  });
  const stop = every(timing.tickEveryMs, () => {
    for (const connection of server.connections) {
      for (const code of codes(connection))
        void connection.send({ action: "quote", data: { s: code, p: Number((100 + Math.random()).toFixed(2)), t: Date.now() } });
    }
  });
  return { name: "Infoway", path: "/infoway/ws", server, dispose: async () => (stop(), server.close()) };
}
