import {
  collective2,
  AlreadyExistsError,
  ForbiddenError,
  InvalidParameterError,
  MandatoryParamEmptyOrMalformedError,
  NotFoundError,
  TooManySubscriptionsError,
} from "@ws-errors/core/catalogs/collective2";
import type { Codec, WsError } from "@ws-errors/core";
import { apiKey, connectionCap, heartbeat, messageRate, slowConsumer, WsErrorServer, type IncomingCommand, type ServerConnection } from "@ws-errors/node";
import { connectionSet, every, type Endpoint } from "./endpoint";
import { isKnownKey, type Timing } from "./keys";

export const STRATEGY_ID = 12345678;
const CHANNELS = ["strategy.signal", "strategy.positions"];
const SUBS = "c2.subscriptions";
const REPLAY_LIMIT = 1000;
const HISTORY = 5000;

type Envelope = { msg_type: string; id: string; timestamp: string; v: 4; seq_id?: number; request_id?: string | number | undefined; payload: Record<string, unknown> };

let counter = 0;
function envelope(msg_type: string, payload: Record<string, unknown>, extra: Partial<Envelope> = {}): Envelope {
  counter = (counter + 1) % 0xffffff;
  return { msg_type, id: `msg_${Date.now().toString(16).padStart(16, "0")}${counter.toString(16).padStart(12, "0")}`, timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"), v: 4, ...extra, payload };
}

const subs = (connection: ServerConnection) => connectionSet<string>(connection, SUBS);

/**
 * Collective2 signals at /collective2/ws: bearer key; 10 connections per key (429 before the
 * upgrade, a 1008 close for a race loser); `connection.connected`, heartbeats every 30 s that must
 * be acked; `subscription.request` with the documented validation errors; a `strategy.signal` for
 * strategy 12345678 at least every 200 ms with increasing `seq_id`, and gap fill with
 * `resume_from` (replay in order, at most 1000, then a `gap` message); slow clients evicted with
 * 1000 "Ping timeout".
 */
export function collective2Endpoint(timing: Timing): Endpoint {
  const history: Envelope[] = [];
  let seq = 98_765;

  const subscribe = (message: IncomingCommand, connection: ServerConnection) => {
    const data = message.data as { timestamp?: unknown; payload?: { action?: unknown; channel?: unknown; strategy_id?: unknown; resume_from?: unknown } };
    const payload = data.payload ?? {};
    const missing: WsError[] = [];
    if (typeof payload.action !== "string" || payload.action === "") missing.push(new MandatoryParamEmptyOrMalformedError({ field: "payload.action", message: "Missing parameter" }));
    if (typeof payload.channel !== "string" || payload.channel === "") missing.push(new MandatoryParamEmptyOrMalformedError({ field: "payload.channel", message: "Missing parameter" }));
    if (typeof payload.strategy_id !== "number" || !Number.isInteger(payload.strategy_id)) missing.push(new InvalidParameterError({ field: "payload.strategy_id", message: "Invalid parameter" }));
    if (missing.length === 1) throw missing[0];
    if (missing.length > 1) throw missing; // several validation errors go out in one frame
    if (typeof data.timestamp === "string" && Math.abs(Date.parse(data.timestamp) - Date.now()) > 60_000) {
      throw new InvalidParameterError({ field: "timestamp", message: "Timestamp is more than one minute off UTC" });
    }
    if (!CHANNELS.includes(payload.channel as string)) throw new InvalidParameterError({ field: "payload.channel", message: "Unknown channel" });
    if (payload.strategy_id !== STRATEGY_ID) throw new ForbiddenError({ field: "StrategyId", message: "Not authorized to subscribe to Strategy" });
    const key = `${payload.channel as string}:${payload.strategy_id}`;
    if (payload.action === "unsubscribe") {
      if (!subs(connection).delete(key)) throw new NotFoundError({ message: "Not subscribed to this channel" });
      return envelope("subscription.ack", { action: "unsubscribe", channel: payload.channel, strategy_id: payload.strategy_id }, { request_id: message.requestId });
    }
    if (payload.action !== "subscribe") throw new InvalidParameterError({ field: "payload.action", message: "Invalid parameter" });
    if (subs(connection).has(key)) throw new AlreadyExistsError({ message: "Already subscribed to this channel and strategy" });
    if (subs(connection).size >= 100) throw new TooManySubscriptionsError({ details: { limit: 100 } });
    subs(connection).add(key);
    const ack = envelope("subscription.ack", { action: "subscribe", channel: payload.channel, strategy_id: payload.strategy_id }, { request_id: message.requestId });
    const resumeFrom = Number(payload.resume_from ?? 0);
    if (payload.channel === "strategy.signal" && resumeFrom > 0) {
      // The ack goes first, then the replay, then live signals: in order, nothing twice.
      void connection.send(ack).then(async () => {
        const missed = history.filter((m) => (m.seq_id as number) > resumeFrom);
        for (const m of missed.slice(0, REPLAY_LIMIT)) await connection.send(m);
        if (missed.length > REPLAY_LIMIT) {
          await connection.send(envelope("gap", { strategy_id: STRATEGY_ID, channel: `strategy.signal:${STRATEGY_ID}`, from: (missed[REPLAY_LIMIT] as Envelope).seq_id, message: "Replay limit of 1000 messages exceeded" }));
        }
      });
      return undefined;
    }
    return ack;
  };

  const server = new WsErrorServer({
    codec: collective2 as unknown as Codec<WsError>,
    policies: [
      apiKey({ from: { bearer: true }, verify: isKnownKey }),
      connectionCap({ perKey: 10 }),
      heartbeat({
        intervalMs: timing.heartbeatIntervalMs,
        timeoutMs: timing.heartbeatTimeoutMs,
        send: (connection) => void connection.send(envelope("heartbeat", {})),
        isAck: (message) => message.command === "heartbeat.ack",
      }),
      messageRate({ limit: 20, windowMs: 1000 }),
      slowConsumer({ maxStallMs: timing.slowStallMs, checkEveryMs: timing.slowCheckMs }),
    ],
    errors: { unknownCommand: InvalidParameterError },
    commands: { "subscription.request": subscribe },
    onConnection: (connection) => void connection.send(envelope("connection.connected", { connection_id: `conn_${connection.openedAt.toString(36)}` })),
  });

  const stop = every(timing.signalEveryMs, () => {
    seq++;
    const signal = envelope("strategy.signal", { strategy_id: STRATEGY_ID, symbol: "AAPL", action: seq % 2 ? "BTO" : "STC", quantity: 100, price: 150 + (seq % 50) / 10 }, { seq_id: seq });
    history.push(signal);
    if (history.length > HISTORY) history.shift();
    for (const connection of server.connections) if (subs(connection).has(`strategy.signal:${STRATEGY_ID}`)) void connection.send(signal);
  });
  return { name: "Collective2", path: "/collective2/ws", server, dispose: async () => (stop(), server.close()) };
}
