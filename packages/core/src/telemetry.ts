import type { Decision } from "./decide";
import { WsError } from "./errors";
import type { SessionListener } from "./session-shapes";

/*
 * Metrics in OpenTelemetry's terms, typed by shape only: core imports nothing of
 * `@opentelemetry/api`, so a bundle that records no metrics carries none of it, and any meter of
 * the API (`metrics.getMeter(...)`) fits. Attribute values come from the catalog (its name, entry
 * ids, kinds, layers, directives), never from what a peer sent: cardinality is bounded by the
 * catalog.
 */

/** Attributes of a measurement. */
export type MetricAttributes = Readonly<Record<string, string | number | boolean>>;

/** The part of OpenTelemetry's `Meter` this library records with. */
export interface MeterLike {
  createCounter(name: string, options?: InstrumentOptions): { add(value: number, attributes?: MetricAttributes): void };
  createUpDownCounter(name: string, options?: InstrumentOptions): { add(value: number, attributes?: MetricAttributes): void };
  createHistogram(name: string, options?: InstrumentOptions): { record(value: number, attributes?: MetricAttributes): void };
}

export interface InstrumentOptions {
  readonly description?: string;
  readonly unit?: string;
  readonly advice?: { readonly explicitBucketBoundaries?: number[] };
}

/** The attributes that say which error: catalog, entry (as OpenTelemetry's `error.type`), kind, layer. */
export function errorAttributes(error: WsError, layer: string = error.layer): MetricAttributes {
  return { "ws_errors.catalog": error.catalog, "error.type": error.id, "ws_errors.kind": error.kind, "ws_errors.layer": layer };
}

/** Seconds buckets for latencies and recoveries: 5 ms to 5 minutes. */
export const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** What a client records beyond its listener's events: requests and dropped replays. */
export interface SessionTelemetry extends SessionListener {
  /** A request was sent; `answered` settles with its answer or failure (observe it, never replace it). */
  request?(answered: Promise<unknown>, command: string | undefined): void;
  /** A request is about to be sent: its span's W3C `traceparent`, and where to hear its answer. */
  trace?(command: string | undefined): { readonly traceparent: string; settle(answered: Promise<unknown>): void } | undefined;
  duplicate?(): void;
}

/**
 * A client's metrics: errors received (by catalog, entry, kind, layer), decisions by directive,
 * reconnect attempts and the time to recover from the first failure to the next open connection,
 * resumes and replayed duplicates dropped, requests by outcome with their latency, and gave-ups.
 * Pass it as `telemetry` to a client (`@ws-errors/node`'s `connect`, `@ws-errors/rxjs`'s
 * `webSocketWithErrors`); both facades record through the one session.
 *
 * @example
 * ```ts
 * import { metrics } from "@opentelemetry/api";
 * import { clientMetrics } from "@ws-errors/core";
 *
 * const telemetry = clientMetrics(metrics.getMeter("my-app"), "esca-rates");
 * ```
 */
export function clientMetrics(meter: MeterLike, catalog: string): SessionTelemetry {
  const errors = meter.createCounter("ws_errors.client.errors", { description: "Catalog errors received, by entry, kind and layer." });
  const decisions = meter.createCounter("ws_errors.client.decisions", { description: "What the client did about an error, by directive." });
  const reconnects = meter.createCounter("ws_errors.client.reconnects", { description: "Reconnection attempts." });
  const recovery = meter.createHistogram("ws_errors.client.recovery.duration", {
    description: "From the failure that dropped the connection to the next open connection.",
    unit: "s",
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const resumes = meter.createCounter("ws_errors.client.resumes", { description: "Reconnects that resumed a stream from its last sequence id." });
  const duplicates = meter.createCounter("ws_errors.client.duplicates", {
    description: "Replayed messages dropped after a resume (at or below the last sequence id seen).",
  });
  const requests = meter.createCounter("ws_errors.client.requests", { description: "Requests answered, by outcome." });
  const latency = meter.createHistogram("ws_errors.client.request.duration", {
    description: "Time to a request's answer.",
    unit: "s",
    advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
  });
  const gaveUp = meter.createCounter("ws_errors.client.gave_up", { description: "Sessions that stopped at the backoff's limit." });
  const base = { "ws_errors.catalog": catalog };
  let failedAt: number | undefined;
  return {
    error(error) {
      errors.add(1, errorAttributes(error));
    },
    decision(decision: Decision) {
      decisions.add(1, { ...base, "ws_errors.directive": decision.action, "error.type": decision.error.id });
    },
    state(state) {
      if ((state.status === "reconnecting" || state.status === "connecting") && failedAt === undefined && state.reason !== undefined)
        failedAt = performance.now();
    },
    reconnecting(info) {
      reconnects.add(1, { ...base, "ws_errors.directive": info.action });
    },
    open() {
      if (failedAt !== undefined) recovery.record((performance.now() - failedAt) / 1000, base);
      failedAt = undefined;
    },
    resumed() {
      resumes.add(1, base);
    },
    duplicate() {
      duplicates.add(1, base);
    },
    request(answered, command) {
      const started = performance.now();
      const record = (outcome: string, error?: WsError) => {
        const attributes = {
          ...base,
          "ws_errors.outcome": outcome,
          ...(command !== undefined && { "ws_errors.command": command }),
          ...(error && { "error.type": error.id }),
        };
        requests.add(1, attributes);
        latency.record((performance.now() - started) / 1000, attributes);
      };
      answered.then(
        () => record("ok"),
        (failure: unknown) => {
          if (failure instanceof WsError) record("error", failure);
          else record((failure as { reason?: unknown } | undefined)?.reason === "timeout" ? "timeout" : "closed");
        },
      );
    },
    gaveUp(info) {
      gaveUp.add(1, { ...base, "error.type": info.error.id });
    },
  };
}

/**
 * Several telemetries as one (metrics and traces, say): each hears every event, in order.
 *
 * @example
 * ```ts
 * import { metrics, trace } from "@opentelemetry/api";
 * import { clientMetrics, clientTraces, combineTelemetry } from "@ws-errors/core";
 *
 * const telemetry = combineTelemetry(clientMetrics(metrics.getMeter("app"), "tickdb"), clientTraces(trace.getTracer("app"), "tickdb"));
 * ```
 */
export function combineTelemetry(first: SessionTelemetry, ...rest: SessionTelemetry[]): SessionTelemetry {
  return rest.reduce<SessionTelemetry>((all, next) => teeListener(all as SessionListener, next) as SessionTelemetry, first);
}

/** Both listeners hear every event: the facade's first, then the telemetry's. */
export function teeListener<E extends WsError>(first: SessionListener<E>, second: SessionListener): SessionListener<E> {
  const both: Record<string, (...args: unknown[]) => void> = { ...(first as Record<string, (...args: unknown[]) => void>) };
  for (const [name, hook] of Object.entries(second as Record<string, (...args: unknown[]) => void>)) {
    const own = both[name];
    both[name] = own ? (...args) => (own(...args), hook(...args)) : hook;
  }
  return both as SessionListener<E>;
}
