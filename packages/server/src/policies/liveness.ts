import type { WsErrorClass } from "@ws-errors/core";
import type { Principal, ServerConnection } from "../server-connection";
import type { IncomingCommand, ServerEngine, ServerPolicy } from "../engine";
import { unrefTimer } from "../transport";
import type { OnStateError } from "../state/shared-state";
import { choiceProblems } from "../catalog";
import { build, guarded } from "./limits";

/**
 * One timer for a policy's periodic check of every connection, started with the first connection
 * and stopped once no server it serves has any. It walks the servers' own connection sets rather
 * than keeping a set of its own: an entry per connection per policy is memory an idle server pays
 * for hours.
 */
function everyConnection(
  everyMs: number,
  tick: (connection: ServerConnection, now: number) => void,
  round?: (now: number) => void,
): Pick<ServerPolicy, "open" | "dispose"> {
  const served = new Set<ReadonlySet<ServerConnection>>();
  // Connections made by hand, without a server (tests of a policy alone).
  const unowned = new Set<ServerConnection>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
  };
  const check = (connections: ReadonlySet<ServerConnection>, now: number) => {
    for (const c of connections) {
      if (!c.isOpen) continue;
      try {
        tick(c, now);
      } catch {
        // A policy that cannot build its error (the catalog lacks the kind) still ends the connection.
        c.close(1011, "");
      }
    }
  };
  return {
    open(connection) {
      if (connection.server) served.add(connection.server.connections);
      else unowned.add(connection);
      if (timer) return;
      timer = setInterval(() => {
        for (const c of unowned) if (!c.isOpen) unowned.delete(c);
        let any = unowned.size > 0;
        for (const connections of served) any ||= connections.size > 0;
        if (!any) return stop();
        const now = Date.now();
        round?.(now);
        for (const connections of served) check(connections, now);
        check(unowned, now);
      }, everyMs);
      unrefTimer(timer);
    },
    dispose() {
      stop();
      served.clear();
      unowned.clear();
    },
  };
}

/** Bytes the peer has sent (on Node, its TCP socket's count, the handshake included). */
function bytesRead(connection: ServerConnection): number {
  return connection.bytesRead;
}

export interface HeartbeatOptions {
  /** How often to send a heartbeat. */
  readonly intervalMs: number;
  /** How long after a heartbeat its answer may come (Collective2: 30 s + 10 s grace). */
  readonly timeoutMs: number;
  /** Sends the API's heartbeat message; default a WebSocket ping. */
  readonly send?: (connection: ServerConnection) => void;
  /** Whether a message answers the heartbeat (e.g. `heartbeat.ack`); such messages reach no handler. */
  readonly isAck?: (message: IncomingCommand) => boolean;
  /** Default: the catalog's heartbeat-timeout entry. */
  readonly error?: WsErrorClass;
}

/**
 * Sends heartbeats and closes connections that do not answer in time with the catalog's
 * heartbeat-timeout error (its frame, then its close). Any message, a pong or an ack counts as an
 * answer (the socket's byte count is checked at each round: no listener per connection).
 *
 * @example
 * ```ts
 * heartbeat({ intervalMs: 30_000, timeoutMs: 40_000, send: (c) => c.send({ msg_type: "heartbeat" }), isAck: (m) => m.command === "heartbeat.ack" })
 * ```
 */
export function heartbeat(options: HeartbeatOptions): ServerPolicy {
  // Heartbeats go out in rounds, to every connection at once, as ws's own example does: a time per
  // connection would be memory for nothing, since a connection only needs one every interval.
  let lastRound = Date.now();
  let sending = false;
  const base = everyConnection(
    Math.min(options.intervalMs, options.timeoutMs) / 2,
    (connection, now) => {
      // Anything the peer sent since the last check (a pong, a message, an ack) is a sign of life:
      // the socket counts the bytes, so no listener or timestamp per frame is needed.
      const read = bytesRead(connection);
      if (read !== connection.bytesSeen) {
        connection.bytesSeen = read;
        connection.lastSeen = now;
      }
      if (now - connection.lastSeen > options.timeoutMs) {
        const error = build(connection.codec, options.error, ["heartbeat-timeout"], "close");
        connection.server?.telemetry?.policy("heartbeat", "close", error);
        void connection.fail(error);
        return;
      }
      if (!sending) return;
      if (options.send) options.send(connection);
      else connection.ping();
    },
    (now) => {
      sending = now - lastRound >= options.intervalMs;
      if (sending) lastRound = now;
    },
  );
  return {
    name: "heartbeat",
    check: (codec) => choiceProblems(codec, "heartbeat", options.error),
    ...base,
    open(connection) {
      connection.bytesSeen = bytesRead(connection);
      base.open?.(connection);
    },
    message(_connection, message) {
      if (options.isAck?.(message)) return false;
    },
  };
}

export interface SlowConsumerOptions {
  /** Evict when data is queued and nothing was sent successfully for this long (Collective2: 3 s). */
  readonly maxStallMs: number;
  /** How often to check (Collective2: every 10 s). */
  readonly checkEveryMs: number;
  /** Evict at once past this many queued bytes, so memory stays bounded while waiting. Default 8 MiB. */
  readonly maxQueuedBytes?: number;
  /** Default: the catalog's slow-consumer entry with a close layer. */
  readonly error?: WsErrorClass;
}

/**
 * Evicts clients that stop reading: outbound data queued and no successful send for
 * `maxStallMs`, or more than `maxQueuedBytes` queued. The eviction is the catalog's close
 * (Collective2: 1000 "Ping timeout"; Esca: rate_limited), and the socket is destroyed if the
 * close itself cannot get through.
 *
 * @example
 * ```ts
 * slowConsumer({ maxStallMs: 3000, checkEveryMs: 10_000 })
 * ```
 */
export function slowConsumer(options: SlowConsumerOptions): ServerPolicy {
  const maxBytes = options.maxQueuedBytes ?? 8 * 1024 * 1024;
  // A client that does not read will not read the close either: it gets a short grace.
  // One function for every connection's overflow (it is given the connection): no closure each.
  const evict = (connection: ServerConnection) => {
    const error = build(connection.codec, options.error, ["slow-consumer"], "close");
    connection.server?.telemetry?.policy("slow-consumer", "close", error);
    connection.closeWith(error, Math.min(1000, options.maxStallMs));
  };
  const base = everyConnection(options.checkEveryMs, (connection, now) => {
    if (connection.queued > maxBytes || (connection.queued > 0 && now - connection.lastSendOk > options.maxStallMs)) evict(connection);
  });
  return {
    name: "slow-consumer",
    check: (codec) => choiceProblems(codec, "slow-consumer", options.error),
    ...base,
    open(connection) {
      // Checked on every send too, so the queue never grows past the limit between checks.
      connection.maxQueuedBytes = maxBytes;
      connection.onOverflow = evict;
      connection.trackSends = true;
      base.open?.(connection);
    },
  };
}

export interface RecheckOptions {
  readonly everyMs: number;
  /** Whether the principal is still allowed; may be async. */
  readonly verify: (principal: Principal) => boolean | Promise<boolean>;
  /** Default: the catalog's unauthenticated entry with a close layer (Esca: auth_failed). */
  readonly error?: WsErrorClass;
}

/**
 * Re-checks credentials while connected; a revoked key is sent the catalog's unauthenticated
 * error and closed within one interval, with no reconnect needed to notice.
 *
 * @example
 * ```ts
 * recheck({ everyMs: 25_000, verify: ({ key }) => !revoked.has(key) })
 * ```
 */
export function recheck(options: RecheckOptions): ServerPolicy {
  const base = everyConnection(options.everyMs, (connection) => {
    const principal = connection.principal;
    if (!principal) return;
    Promise.resolve(options.verify(principal))
      .then((ok) => {
        if (!ok && connection.isOpen) {
          const error = build(connection.codec, options.error, ["unauthenticated", "permission-denied"], "close");
          connection.server?.telemetry?.policy("recheck", "close", error);
          connection.fail(error);
        }
      })
      // A failing check, or a catalog without the kind, still ends the connection: never an
      // unhandled rejection, which would end the process.
      .catch(() => connection.close(1011, ""));
  });
  return { name: "recheck", check: (codec) => choiceProblems(codec, "recheck", options.error), ...base };
}

export interface RevocationOptions {
  /** Default: the catalog's unauthenticated entry with a close layer (Esca: auth_failed), as `recheck`. */
  readonly error?: WsErrorClass;
  /** When the shared state cannot answer whether a key is revoked at the upgrade: `"open"` (default) admits, `"closed"` refuses. */
  readonly onStateError?: OnStateError;
}

/**
 * Closes every connection of a revoked key, on every instance that shares the server's state,
 * as soon as `server.revoke(key)` is called on any of them (the revocation is pushed, not
 * polled), and refuses that key's upgrades while the revocation lasts. Keep `recheck` as the
 * fallback for revocations your own systems make without calling `revoke`.
 *
 * @example
 * ```ts
 * const server = new WsErrorServer({ codec, server: http, state, policies: [apiKey({ from: { bearer: true }, verify }), revocation()] });
 * await server.revoke("sk_live_123");   // closed within a round trip to Redis, everywhere
 * ```
 */
export function revocation(options: RevocationOptions = {}): ServerPolicy {
  // A revoked key's connections are found by walking each server's own connection set: revocations
  // are rare, and an index by key would cost every connection a set entry for its whole life.
  const servers = new Set<ServerEngine>();
  const listening = new WeakSet<object>();
  const revoked = (key: string) => {
    for (const server of servers) {
      for (const connection of server.connections) {
        if (connection.principal?.key !== key || !connection.isOpen) continue;
        try {
          const error = build(connection.codec, options.error, ["unauthenticated", "permission-denied"], "close");
          server.telemetry?.policy("revocation", "close", error);
          connection.fail(error);
        } catch {
          connection.close(1008, "");
        }
      }
    }
  };
  let unsubscribe: (() => void) | undefined;
  return {
    name: "revocation",
    check: (codec) => choiceProblems(codec, "revocation", options.error, options.error),
    async upgrade(context) {
      servers.add(context.server);
      if (!listening.has(context.server.state)) {
        listening.add(context.server.state);
        const off = context.server.state.onRevoke(revoked);
        const previous = unsubscribe;
        unsubscribe = () => (previous?.(), off());
      }
      const key = context.principal?.key;
      if (key === undefined) return;
      if ((await guarded(context, options.onStateError ?? "open", "revocation", () => context.server.state.isRevoked(key))) === true) {
        throw build(context.server.codec, options.error, ["unauthenticated", "permission-denied"], "upgrade");
      }
    },
    dispose() {
      unsubscribe?.();
      unsubscribe = undefined;
      servers.clear();
    },
  };
}
