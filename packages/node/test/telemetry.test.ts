import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { once } from "node:events";
import { metrics, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { type DataPoint, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { collective2, TooManyRequestsError, ForbiddenError } from "@ws-errors/core/catalogs/collective2";
import { type CatalogSpec, type Codec, createCodec, type WsError } from "@ws-errors/core";
import { WebSocketServer } from "ws";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiKey, connect, memoryState, messageRate } from "../src/index";
import { raw, start, until, type Running } from "./helpers";

/* Every instrument asserted by value, through the real OpenTelemetry SDK (a MeterProvider with a
   pull reader, and the Prometheus exporter scraped over HTTP), with real traffic on loopback. */

class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

let reader: Reader;
let provider: MeterProvider;
let running: Running | undefined;
beforeEach(() => {
  reader = new Reader();
  provider = new MeterProvider({ readers: [reader] });
});
afterEach(async () => {
  await running?.close();
  running = undefined;
  await provider.shutdown();
});

/** The sum of a counter's points (or a histogram's counts) whose attributes include `where`. */
async function total(name: string, where: Record<string, string | number> = {}): Promise<number> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  const points = (metric?.dataPoints ?? []) as DataPoint<number | { count: number }>[];
  return points
    .filter((p) => Object.entries(where).every(([k, v]) => p.attributes[k] === v))
    .reduce((n, p) => n + (typeof p.value === "number" ? p.value : p.value.count), 0);
}

const meter = () => provider.getMeter("test");
const keyed = apiKey({ from: { bearer: true }, verify: (key) => key === "good" });

describe("server metrics", () => {
  it("count a refused upgrade by entry, on the upgrade layer, and the policy that refused it", async () => {
    running = await start({ codec: collective2, policies: [keyed], metrics: meter() });
    await expect(raw(running.url, { headers: { authorization: "Bearer bad" } })).rejects.toMatchObject({ status: 401 });
    const refused = { "ws_errors.catalog": "collective2", "error.type": "unauthorized" };
    expect(await total("ws_errors.server.upgrades", { ...refused, "ws_errors.outcome": "refused" })).toBe(1);
    expect(await total("ws_errors.server.upgrades", { "ws_errors.outcome": "accepted" })).toBe(0);
    expect(await total("ws_errors.server.errors", { ...refused, "ws_errors.layer": "upgrade", "ws_errors.kind": "unauthenticated" })).toBe(1);
    expect(await total("ws_errors.server.policy.actions", { "ws_errors.policy": "api-key", "ws_errors.action": "refuse", "error.type": "unauthorized" })).toBe(
      1,
    );
  });

  it("count open connections, a thrown catalog error by entry and layer, and command durations by outcome", async () => {
    running = await start({
      codec: collective2,
      metrics: meter(),
      commands: {
        subscribe: () => {
          throw new ForbiddenError();
        },
        ping: () => ({ msg_type: "pong" }),
      },
    });
    const client = await raw(running.url);
    expect(await total("ws_errors.server.connections")).toBe(1);
    expect(await total("ws_errors.server.upgrades", { "ws_errors.outcome": "accepted" })).toBe(1);
    client.ws.send(JSON.stringify({ msg_type: "subscribe", id: "1" }));
    client.ws.send(JSON.stringify({ msg_type: "ping", id: "2" }));
    client.ws.send(JSON.stringify({ msg_type: "made_up_by_the_client", id: "3" }));
    await until(() => client.messages.length === 3, "three answers");
    expect(await total("ws_errors.server.errors", { "error.type": "forbidden", "ws_errors.layer": "frame", "ws_errors.kind": "permission-denied" })).toBe(1);
    expect(
      await total("ws_errors.server.command.duration", { "ws_errors.command": "subscribe", "ws_errors.outcome": "error", "error.type": "forbidden" }),
    ).toBe(1);
    expect(await total("ws_errors.server.command.duration", { "ws_errors.command": "ping", "ws_errors.outcome": "ok" })).toBe(1);
    // A command name a client made up is answered, never an attribute.
    expect(await total("ws_errors.server.command.duration", { "ws_errors.command": "made_up_by_the_client" })).toBe(0);
    client.ws.close();
    await until(() => running!.server.connections.size === 0, "the connection to end");
    expect(await total("ws_errors.server.connections")).toBe(0);
  });

  it("count a flood's rate-limit answers, pauses and abuse close, and the close by entry", async () => {
    running = await start({
      codec: collective2,
      metrics: meter(),
      policies: [messageRate({ limit: 5, windowMs: 10_000, closeAfter: 3 })],
      onMessage: () => ({ msg_type: "ok" }),
    });
    const flooder = await raw(running.url);
    for (let i = 0; i < 2_000; i++) flooder.ws.send("{not json");
    await flooder.closed;
    const limited = flooder.messages.filter((m) => (m as { payload?: { code?: string } }).payload?.code === "TOO_MANY_REQUESTS").length;
    expect(limited).toBe(4);
    // Three answers over the limit, then the fourth violation is the abuse close (its frame and close).
    expect(await total("ws_errors.server.policy.actions", { "ws_errors.policy": "message-rate", "ws_errors.action": "answer" })).toBe(3);
    expect(
      await total("ws_errors.server.policy.actions", { "ws_errors.policy": "message-rate", "ws_errors.action": "close", "error.type": "too-many-requests" }),
    ).toBe(1);
    expect(await total("ws_errors.server.policy.actions", { "ws_errors.policy": "message-rate", "ws_errors.action": "pause" })).toBeGreaterThanOrEqual(1);
    expect(await total("ws_errors.server.errors", { "error.type": "too-many-requests", "ws_errors.layer": "frame" })).toBe(limited);
    expect(await total("ws_errors.server.errors", { "error.type": "too-many-requests", "ws_errors.layer": "close" })).toBe(1);
    expect(await total("ws_errors.server.errors", { "error.type": "fragment", "ws_errors.layer": "frame" })).toBe(5);
  });

  it("count resumes served from the history, entries replayed, and gaps reported lost", async () => {
    running = await start({ codec: collective2, metrics: meter(), state: memoryState({ historyRetention: 3 }) });
    for (let i = 0; i < 5; i++) await running.server.state.append("signals", `{"n":${i}}`);
    const recent = await running.server.state.replay("signals", 3, 100);
    expect(recent.entries).toHaveLength(2);
    const old = await running.server.state.replay("signals", 0, 100);
    expect(old.lost).toBeDefined();
    expect(await total("ws_errors.server.resumes", { "ws_errors.outcome": "complete" })).toBe(1);
    expect(await total("ws_errors.server.resumes", { "ws_errors.outcome": "lost" })).toBe(1);
    expect(await total("ws_errors.server.resume.entries")).toBe(2 + old.entries.length);
    expect(await total("ws_errors.server.resume.lost")).toBe(1);
  });

  it("come from @opentelemetry/api's global provider once an SDK is registered, and cost nothing without one", async () => {
    metrics.setGlobalMeterProvider(provider);
    try {
      running = await start({ codec: collective2, policies: [keyed] });
      expect(running.server.telemetry).toBeDefined();
      await expect(raw(running.url, { headers: { authorization: "Bearer bad" } })).rejects.toMatchObject({ status: 401 });
      expect(await total("ws_errors.server.upgrades", { "ws_errors.outcome": "refused" })).toBe(1);
    } finally {
      metrics.disable();
    }
    const bare = await start({ codec: collective2 });
    try {
      // No SDK: the API's no-op meter is recognized and nothing is recorded through it.
      expect(bare.server.telemetry).toBeUndefined();
    } finally {
      await bare.close();
    }
    const off = await start({ codec: collective2, metrics: false });
    expect(off.server.telemetry).toBeUndefined();
    await off.close();
  });
});

describe("client metrics (the Node client; the RxJS connection records through the same session)", () => {
  it("count errors by entry and layer, decisions by directive, reconnects, time to recover and requests by outcome", async () => {
    let refuse = true;
    running = await start({
      codec: collective2,
      authenticate: () => {
        if (refuse) {
          refuse = false;
          throw new TooManyRequestsError();
        }
        return undefined;
      },
      commands: { ping: () => ({ msg_type: "pong" }), subscribe: () => Promise.reject(new ForbiddenError()) },
    });
    const client = connect(running.url, { codec: collective2, metrics: meter(), reconnect: { initialMs: 20, maxMs: 50 }, defaultRetryMs: 20 });
    try {
      await once(client, "open");
      const base = { "ws_errors.catalog": "collective2" };
      expect(
        await total("ws_errors.client.errors", { ...base, "error.type": "too-many-requests", "ws_errors.layer": "upgrade", "ws_errors.kind": "rate-limited" }),
      ).toBe(1);
      expect(await total("ws_errors.client.decisions", { "error.type": "too-many-requests" })).toBe(1);
      expect(await total("ws_errors.client.reconnects")).toBe(1);
      expect(await total("ws_errors.client.recovery.duration")).toBe(1);
      await client.request({ msg_type: "ping", id: "a" });
      await expect(client.request({ msg_type: "subscribe", id: "b" })).rejects.toMatchObject({ id: "forbidden" });
      expect(await total("ws_errors.client.requests", { "ws_errors.command": "ping", "ws_errors.outcome": "ok" })).toBe(1);
      expect(await total("ws_errors.client.requests", { "ws_errors.command": "subscribe", "ws_errors.outcome": "error", "error.type": "forbidden" })).toBe(1);
      expect(await total("ws_errors.client.request.duration", { "ws_errors.command": "ping" })).toBe(1);
    } finally {
      client.close();
    }
  });
});

describe("client metrics of a resume and a give-up", () => {
  it("count the resume a close asked for, the replayed duplicates dropped after it, and the time to recover; then a give-up", async () => {
    // A stream as another implementation writes it: Collective2 signals with seq_id, an eviction
    // (close 1000 "Ping timeout", whose directive is resume), and on the next connection a replay
    // from before the last id seen.
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    let connections = 0;
    const signal = (seq: number) => JSON.stringify({ msg_type: "strategy.signal", seq_id: seq, payload: {} });
    wss.on("connection", (ws) => {
      connections++;
      if (connections === 1) {
        for (const seq of [1, 2, 3]) ws.send(signal(seq));
        ws.close(1000, "Ping timeout");
      } else for (const seq of [2, 3, 4]) ws.send(signal(seq));
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as AddressInfo).port;
    const client = connect(`ws://127.0.0.1:${port}/`, {
      codec: collective2,
      metrics: meter(),
      reconnect: { initialMs: 10, maxMs: 20 },
      resume: () => undefined,
    });
    const seen: number[] = [];
    client.on("message", (m: { seq_id: number }) => seen.push(m.seq_id));
    try {
      await until(() => seen.includes(4), "seq 4 after the resume");
      expect(seen).toEqual([1, 2, 3, 4]);
      expect(await total("ws_errors.client.errors", { "error.type": "ping-timeout", "ws_errors.layer": "close" })).toBe(1);
      expect(await total("ws_errors.client.decisions", { "ws_errors.directive": "resume" })).toBe(1);
      expect(await total("ws_errors.client.resumes")).toBe(1);
      expect(await total("ws_errors.client.duplicates")).toBe(2);
      expect(await total("ws_errors.client.recovery.duration")).toBe(1);
    } finally {
      client.close();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.close();
    }
    // Nobody there: the backoff's limit is reached, and the client says so.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const gone = connect(`ws://127.0.0.1:${port}/`, {
      codec: collective2,
      metrics: meter(),
      reconnect: { initialMs: 5, maxMs: 5, maxAttempts: 1 },
    });
    await once(gone, "stopped");
    expect(await total("ws_errors.client.gave_up", { "ws_errors.catalog": "collective2" })).toBe(1);
  });
});

describe("the Prometheus exporter", () => {
  it("serves the server's instruments in Prometheus' text format, scraped over HTTP", async () => {
    const exporter = new PrometheusExporter({ preventServerStart: true });
    const scraped = new MeterProvider({ readers: [exporter] });
    const http: Server = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    try {
      running = await start({ codec: collective2, policies: [keyed], metrics: scraped.getMeter("@ws-errors/node") });
      await expect(raw(running.url, { headers: { authorization: "Bearer bad" } })).rejects.toMatchObject({ status: 401 });
      const ok = await raw(running.url, { headers: { authorization: "Bearer good" } });
      const text = await (await fetch(`http://127.0.0.1:${(http.address() as AddressInfo).port}/metrics`)).text();
      expect(text).toContain("# TYPE ws_errors_server_upgrades_total counter");
      // A sample: its metric, labels in any order, its value.
      const sample = (name: string, labels: string[]) =>
        text
          .split("\n")
          .find((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
          ?.split(" ")
          .at(-1);
      expect(sample("ws_errors_server_upgrades_total", ['error_type="unauthorized"', 'ws_errors_outcome="refused"'])).toBe("1");
      expect(sample("ws_errors_server_upgrades_total", ['ws_errors_outcome="accepted"'])).toBe("1");
      expect(sample("ws_errors_server_errors_total", ['error_type="unauthorized"', 'ws_errors_layer="upgrade"'])).toBe("1");
      expect(sample("ws_errors_server_connections", ['ws_errors_catalog="collective2"'])).toBe("1");
      ok.ws.close();
    } finally {
      await scraped.shutdown();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  });
});

describe("traces (the real SDK: sdk-trace-base with an in-memory exporter)", () => {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  afterEach(() => spans.reset());

  it("a refused upgrade's span carries the catalog error as an exception event, its tag, code and directive, and error status", async () => {
    running = await start({ codec: collective2, policies: [keyed], tracing: tracerProvider.getTracer("test") });
    await expect(raw(running.url, { headers: { authorization: "Bearer bad" } })).rejects.toMatchObject({ status: 401 });
    const ok = await raw(running.url, { headers: { authorization: "Bearer good" } });
    const upgrades = spans.getFinishedSpans().filter((s) => s.name === "upgrade");
    expect(upgrades).toHaveLength(2);
    const refused = upgrades.find((s) => s.status.code === SpanStatusCode.ERROR);
    expect(refused?.kind).toBe(SpanKind.SERVER);
    expect(refused?.attributes).toMatchObject({ "ws_errors.catalog": "collective2", "error.type": "unauthorized", "ws_errors.policy": "api-key" });
    expect(refused?.events.map((e) => [e.name, e.attributes])).toEqual([
      [
        "exception",
        {
          "exception.type": "collective2/unauthorized",
          "exception.message": "Invalid API key",
          "ws_errors.code": "UNAUTHORIZED",
          "ws_errors.kind": "unauthenticated",
          "ws_errors.directive": "stop",
        },
      ],
    ]);
    expect(upgrades.filter((s) => s.status.code !== SpanStatusCode.ERROR)).toHaveLength(1);
    ok.ws.close();
  });

  it("a command's span ends with the error its handler threw; the client's request span with the error that answered it", async () => {
    running = await start({
      codec: collective2,
      tracing: tracerProvider.getTracer("server"),
      commands: { ping: () => ({ msg_type: "pong" }), subscribe: () => Promise.reject(new ForbiddenError()) },
    });
    const client = connect(running.url, { codec: collective2, tracing: tracerProvider.getTracer("client"), metrics: false, reconnect: false });
    try {
      await once(client, "open");
      await client.request({ msg_type: "ping", id: "a" });
      await expect(client.request({ msg_type: "subscribe", id: "b" })).rejects.toMatchObject({ id: "forbidden" });
      await until(() => spans.getFinishedSpans().length >= 4, "four spans");
      const of = (scope: string, name: string) => spans.getFinishedSpans().find((s) => s.instrumentationScope.name === scope && s.name === name);
      expect(of("server", "ping")?.status.code).not.toBe(SpanStatusCode.ERROR);
      expect(of("server", "subscribe")).toMatchObject({ kind: SpanKind.SERVER, status: { code: SpanStatusCode.ERROR, message: "forbidden" } });
      expect(of("server", "subscribe")?.events[0]?.attributes).toMatchObject({ "exception.type": "collective2/forbidden", "ws_errors.code": "FORBIDDEN" });
      expect(of("client", "subscribe")).toMatchObject({
        kind: SpanKind.CLIENT,
        status: { code: SpanStatusCode.ERROR },
        attributes: { "error.type": "forbidden" },
      });
      expect(of("client", "ping")?.status.code).not.toBe(SpanStatusCode.ERROR);
    } finally {
      client.close();
    }
  });

  it("carry the client's trace across the socket where the dialect has a place for it; a malformed traceparent is ignored", async () => {
    // Collective2 with a place for the trace context in requests: `traceparent`, beside `id`.
    const traced = createCodec({
      ...collective2.catalog,
      dialect: { ...collective2.catalog.dialect, requests: { ...collective2.catalog.dialect.requests, traceContext: "traceparent" } },
    } as CatalogSpec) as Codec<WsError>;
    running = await start({ codec: traced, tracing: tracerProvider.getTracer("server"), commands: { ping: () => ({ msg_type: "pong" }) } });
    const client = connect(running.url, { codec: traced, tracing: tracerProvider.getTracer("client"), metrics: false, reconnect: false });
    try {
      await once(client, "open");
      await client.request({ msg_type: "ping", id: "a" });
      const hostile = await raw(running.url);
      hostile.ws.send(JSON.stringify({ msg_type: "ping", id: "h", traceparent: "00-zzzz-<script>-01" }));
      await until(() => hostile.messages.length === 1, "the hostile ping's answer");
      hostile.ws.close();
      await until(() => spans.getFinishedSpans().filter((s) => s.name === "ping").length === 3, "three ping spans");
      const pings = spans.getFinishedSpans().filter((s) => s.name === "ping");
      const sent = pings.find((s) => s.instrumentationScope.name === "client");
      const [continued, orphan] = pings.filter((s) => s.instrumentationScope.name === "server");
      expect(continued?.spanContext().traceId).toBe(sent?.spanContext().traceId);
      expect(continued?.parentSpanContext?.spanId).toBe(sent?.spanContext().spanId);
      expect(continued?.parentSpanContext?.isRemote).toBe(true);
      expect(orphan?.parentSpanContext).toBeUndefined();
      expect(orphan?.spanContext().traceId).not.toBe(sent?.spanContext().traceId);
    } finally {
      client.close();
    }
  });

  it("come from the global tracer provider once one is registered, and no span is started without one", async () => {
    trace.setGlobalTracerProvider(tracerProvider);
    try {
      running = await start({ codec: collective2 });
      expect(running.server.tracer).toBeDefined();
    } finally {
      trace.disable();
    }
    const bare = await start({ codec: collective2 });
    expect(bare.server.tracer).toBeUndefined();
    await bare.close();
  });
});
