import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { MessageBody } from "@nestjs/websockets";
import { metrics } from "@opentelemetry/api";
import { type DataPoint, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { escaRates, UnknownSymbolError } from "@ws-errors/core/catalogs/esca-rates";
import { apiKey } from "@ws-errors/node";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Command, WsErrorsAdapter, WsErrorsGateway, WsErrorsModule } from "../src/index";

/* The module's gateways record the server's metrics with no code in the gateway: an SDK registered
   with @opentelemetry/api before the application starts is all it takes. Real NestJS, real SDK. */

class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

@WsErrorsGateway({ path: "/v1/rates" })
class RatesGateway {
  @Command("subscribe")
  subscribe(@MessageBody() message: { pairs?: string[] }) {
    if (message.pairs?.includes("XAU/USD")) throw new UnknownSymbolError({ message: "Unsupported symbol XAU/USD" });
    return { method: "subscribe", success: true };
  }
}

const reader = new Reader();
const provider = new MeterProvider({ readers: [reader] });
let app: Awaited<ReturnType<typeof NestFactory.create>>;
let url: string;
beforeAll(async () => {
  metrics.setGlobalMeterProvider(provider);
  @Module({
    imports: [WsErrorsModule.forRoot({ codec: escaRates, policies: [apiKey({ from: { header: "x-api-key" }, verify: (k) => k === "demo-key" })] })],
    providers: [RatesGateway],
  })
  class RatesModule {}
  app = await NestFactory.create(RatesModule, { logger: false });
  app.useWebSocketAdapter(new WsErrorsAdapter(app));
  await app.listen(0, "127.0.0.1");
  url = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/v1/rates`;
});
afterAll(async () => {
  await app.close();
  metrics.disable();
  await provider.shutdown();
});

async function total(name: string, where: Record<string, string>): Promise<number> {
  const { resourceMetrics } = await reader.collect();
  const points = (resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name)?.dataPoints ?? []) as DataPoint<
    number | { count: number }
  >[];
  return points
    .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
    .reduce((n, p) => n + (typeof p.value === "number" ? p.value : p.value.count), 0);
}

describe("NestJS gateways' metrics", () => {
  it("count a refused upgrade, an open connection, a gateway's thrown catalog error and its command durations, with nothing in the gateway", async () => {
    const refused = new WebSocket(url, { headers: { "x-api-key": "wrong" } });
    const status = await new Promise<number | undefined>((resolve) => refused.on("unexpected-response", (_q, res) => resolve(res.statusCode)));
    expect(status).toBe(401);
    expect(await total("ws_errors.server.upgrades", { "ws_errors.catalog": "esca-rates", "ws_errors.outcome": "refused", "error.type": "auth-failed" })).toBe(
      1,
    );
    expect(await total("ws_errors.server.policy.actions", { "ws_errors.policy": "api-key", "ws_errors.action": "refuse" })).toBe(1);

    const ws = new WebSocket(url, { headers: { "x-api-key": "demo-key" } });
    await new Promise((resolve) => ws.on("open", resolve));
    expect(await total("ws_errors.server.connections", { "ws_errors.catalog": "esca-rates" })).toBe(1);
    const answer = new Promise<Record<string, unknown>>((resolve) => ws.once("message", (d) => resolve(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ method: "subscribe", pairs: ["XAU/USD"], req_id: 1 }));
    expect(await answer).toMatchObject({ success: false, error: { code: "unknown_symbol" } });
    expect(await total("ws_errors.server.errors", { "error.type": "unknown-symbol", "ws_errors.layer": "frame", "ws_errors.kind": "not-found" })).toBe(1);
    // The gateway's handler is the command: its duration, failed with the entry the filter sent, then succeeded.
    expect(
      await total("ws_errors.server.command.duration", { "ws_errors.command": "subscribe", "ws_errors.outcome": "error", "error.type": "unknown-symbol" }),
    ).toBe(1);
    const ok = new Promise<Record<string, unknown>>((resolve) => ws.once("message", (d) => resolve(JSON.parse(d.toString()))));
    ws.send(JSON.stringify({ method: "subscribe", pairs: ["EUR/USD"], req_id: 2 }));
    expect(await ok).toMatchObject({ success: true, req_id: 2 });
    expect(await total("ws_errors.server.command.duration", { "ws_errors.command": "subscribe", "ws_errors.outcome": "ok" })).toBe(1);
    ws.close();
    await new Promise((resolve) => ws.on("close", resolve));
  });
});
