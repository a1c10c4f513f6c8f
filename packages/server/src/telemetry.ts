import {
  errorAttributes,
  type InstrumentOptions,
  type MeterLike,
  type MetricAttributes,
  SECONDS_BUCKETS,
  type TracerLike,
  type WsError,
} from "@ws-errors/core";

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
export function serverMetrics(meter: ServerMeter, catalog: string): ServerTelemetry {
  const base = { "ws_errors.catalog": catalog };
  // Counted here and reported when the SDK collects (asynchronous instruments): a synchronous
  // counter hashes its attributes on every add, which made error-frame emission a third slower.
  const errors = tally(meter, "ws_errors.server.errors", "Catalog errors sent, by entry, kind and layer.");
  const upgrades = tally(meter, "ws_errors.server.upgrades", "Upgrade requests answered: accepted, or refused with an entry.");
  const open = tally(meter, "ws_errors.server.connections", "Open connections.", true);
  const policies = tally(meter, "ws_errors.server.policy.actions", "What the built-in and your own policies did, by policy and action.");
  const replays = tally(meter, "ws_errors.server.resumes", "Resumes served from the shared history.");
  const replayed = tally(meter, "ws_errors.server.resume.entries", "History entries replayed to resuming clients.");
  const lost = tally(meter, "ws_errors.server.resume.lost", "Resumes whose gap was past retention, reported lost to the client.");
  const state = tally(meter, "ws_errors.server.state.failures", "Shared-state calls that failed or timed out, by policy and fail mode.");
  const commands = meter.createHistogram("ws_errors.server.command.duration", {
    description: "Command handlers' duration, by command and outcome.",
    unit: "s",
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  // One attributes object per command, outcome and entry, made once: the histogram keeps no copy.
  const commandAttributes = new Map<string, MetricAttributes>();
  return {
    sent: (error, layer) => errors.add(error.id, layer) || errors.start(error.id, layer, errorAttributes(error, layer)),
    upgrade: (error) => {
      if (!error) return upgrades.add("", "accepted") || upgrades.start("", "accepted", { ...base, "ws_errors.outcome": "accepted" });
      upgrades.add(error.id, "refused") ||
        upgrades.start(error.id, "refused", { ...base, "ws_errors.outcome": "refused", "error.type": error.id, "ws_errors.kind": error.kind });
    },
    connections: (delta) => open.add("", "", delta) || open.start("", "", base, delta),
    policy: (policy, action, error) => {
      const key = error ? `${policy}\n${error.id}` : policy;
      policies.add(key, action) ||
        policies.start(key, action, { ...base, "ws_errors.policy": policy, "ws_errors.action": action, ...(error && { "error.type": error.id }) });
    },
    replay: (entries, gap) => {
      const outcome = gap ? "lost" : "complete";
      replays.add("", outcome) || replays.start("", outcome, { ...base, "ws_errors.outcome": outcome });
      if (entries > 0) replayed.add("", "", entries) || replayed.start("", "", base, entries);
      if (gap) lost.add("", "") || lost.start("", "", base);
    },
    stateFailure: (policy, outcome, mode) => {
      const key = `${policy}\n${mode}`;
      state.add(key, outcome) || state.start(key, outcome, { ...base, "ws_errors.policy": policy, "ws_errors.outcome": outcome, "ws_errors.fail_mode": mode });
    },
    command: (command, outcome, seconds, error) => {
      const key = `${command}\n${outcome}\n${error?.id ?? ""}`;
      let attributes = commandAttributes.get(key);
      if (!attributes) {
        attributes = { ...base, "ws_errors.command": command, "ws_errors.outcome": outcome, ...(error && { "error.type": error.id }) };
        commandAttributes.set(key, attributes);
      }
      commands.record(seconds, attributes);
    },
  };
}

/** A meter with OpenTelemetry's asynchronous counters, which the server's tallies report through. */
export interface ServerMeter extends MeterLike {
  createObservableCounter(name: string, options?: InstrumentOptions): ObservableLike;
  createObservableUpDownCounter(name: string, options?: InstrumentOptions): ObservableLike;
}

interface ObservableLike {
  addCallback(callback: (result: { observe(value: number, attributes?: MetricAttributes): void }) => void): void;
}

/* Counts by two keys (an entry and a layer, say) in plain maps, each with its attributes made on
   first use; the SDK reads the totals when it collects. */
function tally(meter: ServerMeter, name: string, description: string, upDown = false) {
  const counts = new Map<string, Map<string, { readonly attributes: MetricAttributes; value: number }>>();
  const instrument = upDown ? meter.createObservableUpDownCounter(name, { description }) : meter.createObservableCounter(name, { description });
  instrument.addCallback((result) => {
    for (const byKey of counts.values()) for (const cell of byKey.values()) result.observe(cell.value, cell.attributes);
  });
  return {
    /** Adds to a count that exists; false when it does not yet (the caller makes its attributes). */
    add(first: string, second: string, by = 1): boolean {
      const cell = counts.get(first)?.get(second);
      if (cell) cell.value += by;
      return cell !== undefined;
    },
    start(first: string, second: string, attributes: MetricAttributes, by = 1): void {
      let byKey = counts.get(first);
      if (!byKey) counts.set(first, (byKey = new Map()));
      byKey.set(second, { attributes, value: by });
    },
  };
}

interface OpenTelemetryApi {
  readonly metrics: { getMeter(name: string, version?: string): ServerMeter };
  readonly trace: {
    getTracerProvider(): { getDelegateTracer?(name: string): TracerLike | undefined };
    setSpanContext(context: unknown, spanContext: { traceId: string; spanId: string; traceFlags: number; isRemote: boolean }): unknown;
  };
  readonly context: { active(): unknown };
  createNoopMeter(): object;
}

let api: OpenTelemetryApi | null | undefined;

/**
 * `@opentelemetry/api`'s meter for this library, when the application installed the API and
 * registered an SDK (before creating servers and clients, as OpenTelemetry asks); else undefined.
 */
export function globalMeter(name: string): ServerMeter | undefined {
  const found = otel();
  if (!found) return undefined;
  const meter = found.metrics.getMeter(name);
  // No SDK registered: the no-op meter. Recording through it would still cost every event an
  // attributes object and two clock reads, for nothing.
  return meter.constructor === found.createNoopMeter().constructor ? undefined : meter;
}

/**
 * `@opentelemetry/api`'s tracer for this library, when the application registered a tracer
 * provider (before creating servers and clients); else undefined, and no span is ever started.
 */
export function globalTracer(name: string): TracerLike | undefined {
  // The global provider is a proxy; its delegate is the SDK's, once one is registered.
  return otel()?.trace.getTracerProvider().getDelegateTracer?.(name);
}

/* W3C Trace Context's `traceparent`, version 00: anything else a client sends is ignored. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The OpenTelemetry context whose parent is the span a client named in a request's `traceparent`
 * (where the dialect's `requests.traceContext` says), or undefined when it sent none or one that
 * is not well formed (all-zero ids included): untrusted text is parsed strictly and never echoed.
 */
export function remoteParent(traceparent: unknown): unknown {
  if (typeof traceparent !== "string") return undefined;
  const found = TRACEPARENT.exec(traceparent);
  const api = otel();
  if (!found || !api || /^0+$/.test(found[1] as string) || /^0+$/.test(found[2] as string)) return undefined;
  return api.trace.setSpanContext(api.context.active(), {
    traceId: found[1] as string,
    spanId: found[2] as string,
    traceFlags: Number.parseInt(found[3] as string, 16),
    isRemote: true,
  });
}

function otel(): OpenTelemetryApi | undefined {
  if (api === undefined) {
    try {
      // Node's module loader, reached without importing `node:module`, so that runtimes without it
      // (Workers without nodejs_compat) load this file too, and simply record nothing by default.
      // From this file, in either build: the CommonJS one has `__filename`, the ESM one
      // `import.meta.url` (a bare `require` would be the bundler's shim, which throws in ESM).
      const modules = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process?.getBuiltinModule?.("node:module") as
        | { createRequire(from: string): (id: string) => unknown }
        | undefined;
      const load = modules?.createRequire(typeof __filename === "string" ? __filename : import.meta.url);
      api = load ? (load("@opentelemetry/api") as OpenTelemetryApi) : null;
    } catch {
      api = null;
    }
  }
  return api ?? undefined;
}
