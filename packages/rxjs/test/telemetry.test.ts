import { type DataPoint, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { clientMetrics } from "@ws-errors/core";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { FAST_TIMING, REAL_TIMING, startDemoServers, type DemoServers } from "@ws-errors/demo-server";
import { firstValueFrom } from "rxjs";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wsErrorsConnection, type WebSocketLike } from "../src/index";

/* The RxJS connection records the same client metrics as the Node client: both run on core's one
   session, which hands its events to `telemetry`. The real OpenTelemetry SDK reads them. */

class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let demo: DemoServers;
beforeAll(async () => {
  demo = await startDemoServers({ port: 0, timing: { ...REAL_TIMING, recheckMs: FAST_TIMING.recheckMs } });
});
afterAll(() => demo.close());

describe("the RxJS connection's metrics", () => {
  it("count a request answered with a catalog error and one answered, by command and outcome, and the error by entry and layer", async () => {
    const reader = new Reader();
    const provider = new MeterProvider({ readers: [reader] });
    const connection = wsErrorsConnection(`${demo.url}/tickdb/v1/realtime?api_key=demo-key`, {
      codec: tickdb,
      reconnect: false,
      createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
      telemetry: clientMetrics(provider.getMeter("test"), "tickdb"),
    });
    const sub = connection.messages$.subscribe();
    await firstValueFrom(connection.request({ cmd: "subscribe", data: { channel: "ticker", symbols: ["AAPL.US"] } }));
    await expect(firstValueFrom(connection.request({ cmd: "subscribe", data: { channel: "depth", symbols: ["AAPL.US"] } }))).rejects.toMatchObject({
      kind: "channel-unavailable",
    });
    const { resourceMetrics } = await reader.collect();
    const points = (name: string) =>
      (resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)?.dataPoints ?? []) as DataPoint<
        number | { count: number }
      >[];
    const sum = (name: string, where: Record<string, string>) =>
      points(name)
        .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
        .reduce((n, p) => n + (typeof p.value === "number" ? p.value : p.value.count), 0);
    expect(sum("ws_errors.client.errors", { "ws_errors.catalog": "tickdb", "error.type": "depth-unavailable", "ws_errors.layer": "frame" })).toBe(1);
    expect(sum("ws_errors.client.requests", { "ws_errors.command": "subscribe", "ws_errors.outcome": "ok" })).toBe(1);
    expect(sum("ws_errors.client.requests", { "ws_errors.command": "subscribe", "ws_errors.outcome": "error", "error.type": "depth-unavailable" })).toBe(1);
    expect(sum("ws_errors.client.request.duration", { "ws_errors.command": "subscribe" })).toBe(2);
    sub.unsubscribe();
    await provider.shutdown();
  });
});
