import {
  tickdb,
  ApiKeyMissingError,
  InvalidApiKeyError,
  InvalidParametersError,
  SymbolNotFoundError,
  DepthUnavailableError,
  TradeUnavailableError,
  UnknownCommandError,
} from "@ws-errors/core/catalogs/tickdb";
import { messageRate, type IncomingCommand, type ServerConnection, type SharedState } from "@ws-errors/server";
import { connectionSet, every, type Endpoint, type Serve } from "./endpoint";
import { isKnownKey, type Timing } from "./keys";

const SYMBOLS: Record<string, number> = { "AAPL.US": 150.25, "TSLA.US": 240.1, BTCUSDT: 43000, "700.HK": 300.2 };
const TICKERS = "tickdb.tickers";

const tickers = (connection: ServerConnection) => connectionSet<string>(connection, TICKERS);

/**
 * TickDB at /tickdb/v1/realtime?api_key=KEY, per the Error Code Quick Reference: subscribe,
 * unsubscribe and ping; success and errors in one `{cmd, code, message, data}` shape; ticker data
 * for subscribed symbols; depth and trade channels unavailable (4003, 4004); at most 20 frames a
 * second per connection (3001, and a close for floods); clients that stop reading are dropped.
 */
export function tickdbEndpoint(timing: Timing, state: SharedState, serve: Serve): Endpoint {
  const channel = (message: IncomingCommand) => {
    const data = (message.data as { data?: { channel?: unknown; symbols?: unknown } }).data;
    if (data?.channel === "depth") throw new DepthUnavailableError();
    if (data?.channel === "trade") throw new TradeUnavailableError();
    if (data?.channel !== "ticker") throw new InvalidParametersError({ message: "channel must be ticker, depth or trade" });
    if (!Array.isArray(data.symbols) || data.symbols.length === 0) throw new InvalidParametersError({ message: "symbols parameter is required" });
    const missing = data.symbols.find((s) => typeof s !== "string" || !(s in SYMBOLS));
    if (missing !== undefined) throw new SymbolNotFoundError({ message: `Symbol not found: ${String(missing)}` });
    return data.symbols as string[];
  };
  const server = serve({
    codec: tickdb,
    state,
    authenticate({ url }) {
      const key = url.searchParams.get("api_key");
      if (!key) throw new ApiKeyMissingError();
      if (!isKnownKey(key)) throw new InvalidApiKeyError();
      return { key };
    },
    errors: { unknownCommand: UnknownCommandError },
    policies: [
      // 3001 "Rate limit exceeded": the quickstart pings once a second, so 20 frames a second is
      // generous; ten violations in ten seconds end the connection (3001, then close 4429, that
      // entry's close for browsers).
      messageRate({ limit: 20, windowMs: 1_000, closeAfter: 10, violationWindowMs: 10_000 }),
      // No slowConsumer: TickDB's catalog has no slow-consumer entry, so its eviction could only
      // be a close the catalog does not say (the server refuses to start with one).
    ],
    commands: {
      subscribe: (message, connection) => {
        for (const symbol of channel(message)) tickers(connection).add(symbol);
        return { cmd: "subscribe", code: 0, message: "success", data: { channel: "ticker", symbols: [...tickers(connection)] } };
      },
      unsubscribe: (message, connection) => {
        for (const symbol of channel(message)) tickers(connection).delete(symbol);
        return { cmd: "unsubscribe", code: 0, message: "success", data: { channel: "ticker", symbols: [...tickers(connection)] } };
      },
      ping: () => ({ cmd: "ping", code: 0, message: "pong", data: { timestamp: Date.now() } }),
    },
  });
  let tick = 0;
  const stop = every(timing.tickEveryMs, () => {
    tick++;
    for (const connection of server.connections) {
      for (const symbol of tickers(connection)) {
        const price = (SYMBOLS[symbol] as number) * (1 + Math.sin(tick / 7) / 200);
        void connection.send({ cmd: "ticker", data: { symbol, last_price: price.toFixed(2), timestamp: Date.now() } });
      }
    }
  });
  return { name: "TickDB", path: "/tickdb/v1/realtime", server, dispose: async () => (stop(), server.close()) };
}
