import { createRequire } from "node:module";
import { errorAttributes, type MeterLike, SECONDS_BUCKETS, type WsError } from "@ws-errors/core";

/*
 * The server's metrics in OpenTelemetry's terms, through `@opentelemetry/api` when the application
 * has it (an optional peer): with no SDK registered the API hands out its no-op meter, which the
 * server recognizes and records nothing through, so the hot paths do no work for metrics at all.
 * Attributes come from the catalog and the server's configuration (entry ids, kinds, layers,
 * policy and command names), never from what a client sent.
 */

/** What a server records, at the moments it acts. */
export interface ServerTelemetry {
  /** A catalog error went out on a layer. */
  sent(error: WsError, layer: "frame" | "close" | "upgrade"): void;
  /** An upgrade was accepted, or refused with an error. */
  upgrade(error?: WsError): void;
  /** Open connections rose or fell by one. */
  connections(delta: 1 | -1): void;
  /** A policy acted: refused an upgrade, closed or answered a connection, paused its reading. */
  policy(policy: string, action: "refuse" | "close" | "answer" | "pause" | "drop", error?: WsError): void;
  /** A resume was served from the shared history: entries replayed, and whether a gap was reported lost. */
  replay(entries: number, lost: boolean): void;
  /** A shared-state call failed or timed out, and the policy failed open or closed. */
  stateFailure(policy: string, outcome: "timeout" | "error", mode: "open" | "closed"): void;
  /** A command handler finished, with its outcome and duration. */
  command(command: string, outcome: "ok" | "error", seconds: number, error?: WsError): void;
}

/**
 * The server's instruments over a meter. `WsErrorServer` makes them from `@opentelemetry/api`'s
 * global meter provider when one is registered; pass `metrics` to choose the meter yourself.
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * import { serverMetrics } from "@ws-errors/node";
 *
 * const telemetry = serverMetrics(metrics.getMeter("my-api"), "esca-rates");
 * telemetry.connections(1);
 * ```
 */
export function serverMetrics(meter: MeterLike, catalog: string): ServerTelemetry {
  const base = { "ws_errors.catalog": catalog };
  const errors = meter.createCounter("ws_errors.server.errors", { description: "Catalog errors sent, by entry, kind and layer." });
  const upgrades = meter.createCounter("ws_errors.server.upgrades", { description: "Upgrade requests answered: accepted, or refused with an entry." });
  const open = meter.createUpDownCounter("ws_errors.server.connections", { description: "Open connections." });
  const policies = meter.createCounter("ws_errors.server.policy.actions", {
    description: "What the built-in and your own policies did, by policy and action.",
  });
  const replays = meter.createCounter("ws_errors.server.resumes", { description: "Resumes served from the shared history." });
  const replayed = meter.createCounter("ws_errors.server.resume.entries", { description: "History entries replayed to resuming clients." });
  const lost = meter.createCounter("ws_errors.server.resume.lost", { description: "Resumes whose gap was past retention, reported lost to the client." });
  const state = meter.createCounter("ws_errors.server.state.failures", {
    description: "Shared-state calls that failed or timed out, by policy and fail mode.",
  });
  const commands = meter.createHistogram("ws_errors.server.command.duration", {
    description: "Command handlers' duration, by command and outcome.",
    unit: "s",
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  return {
    sent: (error, layer) => errors.add(1, errorAttributes(error, layer)),
    upgrade: (error) =>
      upgrades.add(
        1,
        error
          ? { ...base, "ws_errors.outcome": "refused", "error.type": error.id, "ws_errors.kind": error.kind }
          : { ...base, "ws_errors.outcome": "accepted" },
      ),
    connections: (delta) => open.add(delta, base),
    policy: (policy, action, error) =>
      policies.add(1, { ...base, "ws_errors.policy": policy, "ws_errors.action": action, ...(error && { "error.type": error.id }) }),
    replay: (entries, gap) => {
      replays.add(1, { ...base, "ws_errors.outcome": gap ? "lost" : "complete" });
      if (entries > 0) replayed.add(entries, base);
      if (gap) lost.add(1, base);
    },
    stateFailure: (policy, outcome, mode) => state.add(1, { ...base, "ws_errors.policy": policy, "ws_errors.outcome": outcome, "ws_errors.fail_mode": mode }),
    command: (command, outcome, seconds, error) =>
      commands.record(seconds, { ...base, "ws_errors.command": command, "ws_errors.outcome": outcome, ...(error && { "error.type": error.id }) }),
  };
}

interface OpenTelemetryApi {
  readonly metrics: { getMeter(name: string, version?: string): MeterLike };
  createNoopMeter(): object;
}

let api: OpenTelemetryApi | null | undefined;

/**
 * `@opentelemetry/api`'s meter for this library, when the application installed the API and
 * registered an SDK (before creating servers and clients, as OpenTelemetry asks); else undefined.
 */
export function globalMeter(name: string): MeterLike | undefined {
  if (api === undefined) {
    try {
      // The CommonJS build has `require`; the ESM build makes one (the API ships both).
      const load = typeof require === "function" ? require : createRequire(import.meta.url);
      api = load("@opentelemetry/api") as OpenTelemetryApi;
    } catch {
      api = null;
    }
  }
  if (!api) return undefined;
  const meter = api.metrics.getMeter(name);
  // No SDK registered: the no-op meter. Recording through it would still cost every event an
  // attributes object and two clock reads, for nothing.
  return meter.constructor === api.createNoopMeter().constructor ? undefined : meter;
}
