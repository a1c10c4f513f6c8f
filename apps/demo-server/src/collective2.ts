import {
  collective2,
  AlreadyExistsError,
  ForbiddenError,
  InvalidParameterError,
  MandatoryParamEmptyOrMalformedError,
  NotFoundError,
  TooManySubscriptionsError,
} from "@ws-errors/core/catalogs/collective2";
import type { WsError } from "@ws-errors/core";
import {
  apiKey,
  connectionCap,
  heartbeat,
  messageRate,
  revocation,
  slowConsumer,
  type HistoryEntry,
  type IncomingCommand,
  type ServerConnection,
  type SharedState,
} from "@ws-errors/server";
import { connectionSet, every, type Endpoint, type Serve } from "./endpoint";
import { isKnownKey, type Timing } from "./keys";

export const STRATEGY_ID = 12345678;

/**
 * A client's subscription to the demo strategy's signals, resuming after `resumeFrom` when given:
 * what the walkthroughs, the reliability suites and the fleet send.
 *
 * @example
 * ```ts
 * client.send(JSON.stringify(signalSubscription(98_806)));
 * ```
 */
export function signalSubscription(resumeFrom?: number | string) {
  return {
    msg_type: "subscription.request",
    timestamp: new Date().toISOString(),
    payload: {
      action: "subscribe",
      channel: "strategy.signal",
      strategy_id: STRATEGY_ID,
      ...(resumeFrom !== undefined && { resume_from: String(resumeFrom) }),
    },
  };
}
const CHANNELS = ["strategy.signal", "strategy.positions"];
const SUBS = "c2.subscriptions";
const REPLAY_LIMIT = 1000;
const STREAM = `collective2:strategy.signal:${STRATEGY_ID}`;
/** The store numbers a stream from 1; the demo's `seq_id`s continue from the seed's example. */
const SEQ_BASE = 98_765;
const CURSOR = "c2.cursor";

/** Where one connection is in the signal stream: replaying (live signals wait) or live. */
interface Cursor {
  replaying: boolean;
  last: number;
  readonly waiting: HistoryEntry[];
}

type Envelope = {
  msg_type: string;
  id: string;
  timestamp: string;
  v: 4;
  seq_id?: number;
  request_id?: string | number | undefined;
  payload: Record<string, unknown>;
};

let counter = 0;
function envelope(msg_type: string, payload: Record<string, unknown>, extra: Partial<Envelope> = {}): Envelope {
  counter = (counter + 1) % 0xffffff;
  return {
    msg_type,
    id: `msg_${Date.now().toString(16).padStart(16, "0")}${counter.toString(16).padStart(12, "0")}`,
    timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    v: 4,
    ...extra,
    payload,
  };
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
export function collective2Endpoint(timing: Timing, state: SharedState, serve: Serve): Endpoint {
  const cursorOf = (connection: ServerConnection) => connection.state.get(CURSOR) as Cursor | undefined;
  const frameOf = (entry: HistoryEntry) => JSON.stringify({ ...(JSON.parse(entry.payload) as Envelope), seq_id: SEQ_BASE + entry.seq });
  const deliver = (connection: ServerConnection, entry: HistoryEntry, frame: string) => {
    const cursor = cursorOf(connection);
    if (!cursor) return;
    if (cursor.replaying) cursor.waiting.push(entry);
    else if (entry.seq > cursor.last) {
      cursor.last = entry.seq;
      void connection.send(frame);
    }
  };
  // The replay, tried again for a while when the state fails (a Redis primary failing over takes
  // a few seconds); undefined if it never answered.
  const replayed = async (from: number) => {
    for (let attempt = 0; attempt < 40; attempt++) {
      try {
        return await state.replay(STREAM, from, REPLAY_LIMIT);
      } catch {
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    return undefined;
  };
  // Replays after `from`, at most 1000, then a gap message if more were missed or lost; then live.
  const resume = async (connection: ServerConnection, from: number) => {
    const cursor: Cursor = { replaying: true, last: from, waiting: [] };
    connection.state.set(CURSOR, cursor);
    const replay = await replayed(from);
    if (!replay) {
      // History out of reach past a Redis failover's length: dropped without a close frame, which
      // Collective2's clients read as 1006, whose catalog directive is to resume, later.
      connection.terminate();
      return;
    }
    if (replay.lost) {
      await connection.send(
        envelope("gap", {
          strategy_id: STRATEGY_ID,
          channel: `strategy.signal:${STRATEGY_ID}`,
          from: SEQ_BASE + replay.lost.from,
          message: "Signals before this point are no longer kept",
        }),
      );
    }
    for (const entry of replay.entries) {
      await connection.send(frameOf(entry));
      cursor.last = entry.seq;
    }
    if (replay.more) {
      await connection.send(
        envelope("gap", {
          strategy_id: STRATEGY_ID,
          channel: `strategy.signal:${STRATEGY_ID}`,
          from: SEQ_BASE + cursor.last + 1,
          message: "Replay limit of 1000 messages exceeded",
        }),
      );
    }
    cursor.replaying = false;
    for (const entry of cursor.waiting.splice(0)) deliver(connection, entry, frameOf(entry));
  };

  const subscribe = (message: IncomingCommand, connection: ServerConnection) => {
    const data = message.data as { timestamp?: unknown; payload?: { action?: unknown; channel?: unknown; strategy_id?: unknown; resume_from?: unknown } };
    const payload = data.payload ?? {};
    const missing: WsError[] = [];
    if (typeof payload.action !== "string" || payload.action === "")
      missing.push(new MandatoryParamEmptyOrMalformedError({ field: "payload.action", message: "Missing parameter" }));
    if (typeof payload.channel !== "string" || payload.channel === "")
      missing.push(new MandatoryParamEmptyOrMalformedError({ field: "payload.channel", message: "Missing parameter" }));
    if (typeof payload.strategy_id !== "number" || !Number.isInteger(payload.strategy_id))
      missing.push(new InvalidParameterError({ field: "payload.strategy_id", message: "Invalid parameter" }));
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
      if (payload.channel === "strategy.signal") connection.state.delete(CURSOR);
      return envelope(
        "subscription.ack",
        { action: "unsubscribe", channel: payload.channel, strategy_id: payload.strategy_id },
        { request_id: message.requestId },
      );
    }
    if (payload.action !== "subscribe") throw new InvalidParameterError({ field: "payload.action", message: "Invalid parameter" });
    if (subs(connection).has(key)) throw new AlreadyExistsError({ message: "Already subscribed to this channel and strategy" });
    if (subs(connection).size >= 100) throw new TooManySubscriptionsError({ details: { limit: 100 } });
    subs(connection).add(key);
    const ack = envelope(
      "subscription.ack",
      { action: "subscribe", channel: payload.channel, strategy_id: payload.strategy_id },
      { request_id: message.requestId },
    );
    if (payload.channel !== "strategy.signal") return ack;
    const resumeFrom = Number(payload.resume_from ?? 0);
    if (resumeFrom > 0) {
      // The ack goes first, then the replay (from whichever instance appended it), then live
      // signals: in order, nothing twice.
      connection.state.set(CURSOR, { replaying: true, last: 0, waiting: [] } satisfies Cursor);
      void connection
        .send(ack)
        .then(() => resume(connection, Math.max(0, resumeFrom - SEQ_BASE)))
        .catch(() => connection.terminate());
      return undefined;
    }
    connection.state.set(CURSOR, { replaying: false, last: 0, waiting: [] } satisfies Cursor);
    return ack;
  };

  const server = serve({
    codec: collective2,
    state,
    policies: [
      apiKey({ from: { bearer: true }, verify: isKnownKey }),
      revocation(),
      // 10 per key whichever instance a connection lands on (shared when the state is).
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

  // Live signals come from the shared stream, whichever instance appended them: one global
  // sequence, delivered in order by every instance.
  const untail = state.tail(STREAM, (entry) => {
    const frame = frameOf(entry);
    for (const connection of server.connections) deliver(connection, entry, frame);
  });
  let n = 0;
  const stop = every(timing.signalEveryMs, () => {
    n++;
    const signal = envelope("strategy.signal", {
      strategy_id: STRATEGY_ID,
      symbol: "AAPL",
      action: n % 2 ? "BTO" : "STC",
      quantity: 100,
      price: 150 + (n % 50) / 10,
    });
    Promise.resolve(state.append(STREAM, JSON.stringify(signal))).catch(() => undefined);
  });
  return { name: "Collective2", path: "/collective2/ws", server, dispose: async () => (stop(), untail(), server.close()) };
}
