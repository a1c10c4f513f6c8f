import type { IncomingMessage, ServerResponse } from "node:http";
import { metrics } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";

/**
 * What a provider adds to its server to publish ws-errors' metrics to Prometheus: the
 * OpenTelemetry SDK registered globally (before the servers are created, so they find it), with
 * the Prometheus exporter as its reader, answering `/metrics` on the application's own HTTP port.
 *
 * @example
 * ```ts
 * const scrape = prometheusMetrics();
 * const demo = await startDemoServers({ port: 8080, metrics: scrape.handler });
 * ```
 */
export function prometheusMetrics(): { handler(request: IncomingMessage, response: ServerResponse): void; shutdown(): Promise<void> } {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  metrics.setGlobalMeterProvider(provider);
  return {
    handler: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: () => provider.shutdown(),
  };
}
