import "reflect-metadata";
import { Module, type INestApplication, type OnModuleDestroy } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { ConnectedSocket, MessageBody, type OnGatewayConnection, type OnGatewayDisconnect } from "@nestjs/websockets";
import type { WsError } from "@ws-errors/core";
import {
  AlreadyExistsError,
  collective2,
  ForbiddenError,
  InvalidParameterError,
  MandatoryParamEmptyOrMalformedError,
} from "@ws-errors/core/catalogs/collective2";
import { escaRates, UnknownSymbolError } from "@ws-errors/core/catalogs/esca-rates";
import { isKnownKey, REVOKE_AFTER_MS } from "@ws-errors/demo-server";
import { Command, connectionOfSocket, WsErrorsAdapter, WsErrorsGateway, WsErrorsModule } from "@ws-errors/nestjs";
import { apiKey, attemptRate, connectionCap, heartbeat, messageRate, recheck, type ServerConnection } from "@ws-errors/node";
import type { WebSocket } from "ws";

const STRATEGY_ID = 12345678;
const openedAt = new WeakMap<object, number>();
const PAIRS = ["EUR/USD", "GBP/USD", "USD/JPY", "AUD/USD", "USD/CHF"];
const subscribed = new WeakMap<ServerConnection, Set<string>>();
const setOf = (connection: ServerConnection) => subscribed.get(connection) ?? (subscribed.set(connection, new Set()), subscribed.get(connection)!);
const envelope = (msg_type: string, payload: object, extra: object = {}) => ({
  msg_type,
  id: `msg_${Date.now().toString(16).padStart(28, "0")}`,
  timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
  v: 4,
  ...extra,
  payload,
});

/** Collective2 at /collective2/ws: bearer key, 10 connections per key, heartbeats, subscription requests, signals. */
@WsErrorsGateway({
  path: "/collective2/ws",
  codec: collective2,
  policies: [
    apiKey({ from: { bearer: true }, verify: isKnownKey }),
    connectionCap({ perKey: 10 }),
    heartbeat({ intervalMs: 30_000, timeoutMs: 40_000, send: (c) => void c.send(envelope("heartbeat", {})), isAck: (m) => m.command === "heartbeat.ack" }),
    messageRate({ limit: 20, windowMs: 1000 }),
  ],
  errors: { unknownCommand: InvalidParameterError },
})
export class Collective2Gateway implements OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private seq = 98_765;
  private readonly connections = new Set<ServerConnection>();
  private readonly timer = setInterval(() => this.publish(), 150).unref();

  handleConnection(client: WebSocket): void {
    const connection = connectionOfSocket(client);
    if (!connection) return;
    this.connections.add(connection);
    void connection.send(envelope("connection.connected", {}));
  }

  handleDisconnect(client: WebSocket): void {
    const connection = connectionOfSocket(client);
    if (connection) this.connections.delete(connection);
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  @Command("subscription.request")
  subscribe(
    @MessageBody() message: { request_id?: string; payload?: { action?: unknown; channel?: unknown; strategy_id?: unknown } },
    @ConnectedSocket() client: WebSocket,
  ) {
    const payload = message.payload ?? {};
    const problems: WsError[] = [];
    if (typeof payload.channel !== "string" || payload.channel === "")
      problems.push(new MandatoryParamEmptyOrMalformedError({ field: "payload.channel", message: "Missing parameter" }));
    if (typeof payload.strategy_id !== "number") problems.push(new InvalidParameterError({ field: "payload.strategy_id", message: "Invalid parameter" }));
    if (problems.length > 0) throw problems.length === 1 ? problems[0] : problems;
    if (payload.strategy_id !== STRATEGY_ID) throw new ForbiddenError({ field: "StrategyId", message: "Not authorized to subscribe to Strategy" });
    const connection = connectionOfSocket(client)!;
    const key = `${String(payload.channel)}:${STRATEGY_ID}`;
    if (setOf(connection).has(key)) throw new AlreadyExistsError();
    setOf(connection).add(key);
    return envelope("subscription.ack", { action: "subscribe", channel: payload.channel, strategy_id: STRATEGY_ID });
  }

  private publish(): void {
    this.seq++;
    const signal = envelope("strategy.signal", { strategy_id: STRATEGY_ID, symbol: "AAPL", action: "BTO", quantity: 100 }, { seq_id: this.seq });
    for (const connection of this.connections) if (setOf(connection).has(`strategy.signal:${STRATEGY_ID}`)) void connection.send(signal);
  }
}

/** Esca at /esca/v1/rates: X-Api-Key, 5 connections per account, 60 attempts a minute, acks with req_id, re-checked keys. */
@WsErrorsGateway({
  path: "/esca/v1/rates",
  codec: escaRates,
  policies: [
    attemptRate({ limit: 60 }),
    apiKey({ from: { header: "x-api-key" }, verify: isKnownKey }),
    connectionCap({ perKey: 5 }),
    recheck({
      everyMs: 1000,
      verify: (principal) => principal.key !== "revoked-key" || Date.now() - (openedAt.get(principal) ?? Date.now()) < REVOKE_AFTER_MS,
    }),
  ],
})
export class EscaGateway implements OnGatewayConnection {
  handleConnection(client: WebSocket): void {
    const connection = connectionOfSocket(client);
    if (connection?.principal) openedAt.set(connection.principal, connection.openedAt);
  }

  @Command("subscribe")
  subscribe(@MessageBody() message: { pairs?: unknown }, @ConnectedSocket() client: WebSocket) {
    const pairs = Array.isArray(message.pairs) ? message.pairs.filter((p): p is string => typeof p === "string") : [];
    const unknown = pairs.find((p) => !PAIRS.includes(p));
    if (unknown !== undefined || pairs.length === 0) throw new UnknownSymbolError({ message: `Unsupported symbol ${unknown ?? "(none given)"}` });
    const connection = connectionOfSocket(client)!;
    for (const pair of pairs) setOf(connection).add(pair);
    return { method: "subscribe", success: true, pairs: [...setOf(connection)] }; // req_id is echoed for us
  }
}

@Module({ imports: [WsErrorsModule.forRoot({ codec: collective2 })], providers: [Collective2Gateway, EscaGateway] })
class DemoModule {}

/**
 * The Nest demo: Collective2 and Esca through gateways, on one port.
 *
 * @example
 * ```ts
 * const app = await startNestDemo(8081);
 * ```
 */
export async function startNestDemo(port = 8081, host = "127.0.0.1"): Promise<INestApplication> {
  const app = await NestFactory.create(DemoModule, { logger: ["error", "warn"] });
  const adapter = new WsErrorsAdapter(app);
  app.useWebSocketAdapter(adapter);
  await app.listen(port, host);
  return app;
}
