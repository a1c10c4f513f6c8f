import { WsError } from "./errors";
import type { MetricAttributes, SessionTelemetry } from "./telemetry";

/*
 * Spans in OpenTelemetry's terms, typed by shape as meters are: core imports nothing of
 * `@opentelemetry/api`. A catalog error on a span is an `exception` event carrying its tag, code,
 * kind and directive, with the span's status set to error and `error.type` to the entry's id.
 */

/** The part of OpenTelemetry's `Span` this library uses. */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  addEvent(name: string, attributes?: MetricAttributes): unknown;
  setStatus(status: { readonly code: number; readonly message?: string }): unknown;
  end(): void;
  spanContext(): { readonly traceId: string; readonly spanId: string; readonly traceFlags: number };
}

/** The part of OpenTelemetry's `Tracer` this library uses. */
export interface TracerLike {
  /** `context`: OpenTelemetry's context to start the span in (a remote parent, say). */
  startSpan(name: string, options?: { readonly kind?: number; readonly attributes?: MetricAttributes }, context?: unknown): SpanLike;
}

/** OpenTelemetry's `SpanKind` and `SpanStatusCode` values, as numbers. */
export const SPAN_KIND = { server: 1, client: 2 } as const;
const STATUS_ERROR = 2;

/**
 * Records a catalog error on a span: an `exception` event with the error's tag, message, code, kind
 * and directive; `error.type` set to the entry's id; the status set to error.
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import { recordCatalogError } from "@ws-errors/core";
 * import { ForbiddenError } from "@ws-errors/core/catalogs/collective2";
 *
 * const span = trace.getTracer("my-app").startSpan("subscribe");
 * recordCatalogError(span, new ForbiddenError());
 * span.end();
 * ```
 */
export function recordCatalogError(span: SpanLike, error: WsError): void {
  span.setAttribute("error.type", error.id);
  span.addEvent("exception", {
    "exception.type": error._tag,
    "exception.message": error.message,
    "ws_errors.code": String(error.code),
    "ws_errors.kind": error.kind,
    "ws_errors.directive": error.retry.directive,
  });
  span.setStatus({ code: STATUS_ERROR, message: error.id });
}

/**
 * A client's spans: one per request (`<command>`, kind client), ended when its answer arrives, with
 * the catalog error that answered it recorded. Where the dialect has a place for it
 * (`requests.traceContext`), the request carries the span's W3C `traceparent`, and the server's
 * span of the command continues the trace. Combine with `clientMetrics` as the session's
 * `telemetry` (`combineTelemetry`).
 *
 * @example
 * ```ts
 * import { trace } from "@opentelemetry/api";
 * import { clientTraces } from "@ws-errors/core";
 *
 * const telemetry = clientTraces(trace.getTracer("my-app"), "esca-rates");
 * ```
 */
export function clientTraces(tracer: TracerLike, catalog: string): SessionTelemetry {
  return {
    trace(command) {
      const span = tracer.startSpan(command ?? "request", {
        kind: SPAN_KIND.client,
        attributes: { "ws_errors.catalog": catalog, ...(command !== undefined && { "ws_errors.command": command }) },
      });
      const { traceId, spanId, traceFlags } = span.spanContext();
      return {
        traceparent: `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, "0")}`,
        settle: (answered) =>
          answered.then(
            () => span.end(),
            (failure: unknown) => {
              if (failure instanceof WsError) recordCatalogError(span, failure);
              else span.setStatus({ code: STATUS_ERROR, message: (failure as { reason?: string } | undefined)?.reason ?? "failed" });
              span.end();
            },
          ),
      };
    },
  };
}
