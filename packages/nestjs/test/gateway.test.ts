import "reflect-metadata";
import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { ForbiddenException, Module, UsePipes, ValidationPipe, type INestApplication } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { MessageBody, WebSocketServer, WsException } from "@nestjs/websockets";
import { collective2, ForbiddenError } from "@ws-errors/core/catalogs/collective2";
import { escaRates, UnknownSymbolError } from "@ws-errors/core/catalogs/esca-rates";
import { createCodec, type Codec, type WsError } from "@ws-errors/core";
import { apiKey, connectionCap } from "@ws-errors/node";
import { IsArray, IsString } from "class-validator";
import { WebSocket, type WebSocketServer as WsServer } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { Command, WsErrorsAdapter, WsErrorsGateway, WsErrorsModule } from "../src/index";

class SubscribeDto {
  @IsString() method!: string;
  @IsArray() @IsString({ each: true }) pairs!: string[];
}

@WsErrorsGateway({ path: "/v1/rates" })
class RatesGateway {
  @WebSocketServer() server!: WsServer;

  // The usual Nest broadcast: every client of the gateway's ws server.
  @Command("broadcast")
  broadcast(@MessageBody() message: { text: string }) {
    for (const client of this.server.clients) client.send(JSON.stringify({ method: "announcement", text: message.text }));
    return { method: "broadcast", success: true, clients: this.server.clients.size };
  }

  @Command("subscribe")
  subscribe(@MessageBody() message: { pairs?: string[] }) {
    if (message.pairs?.includes("XAU/USD")) throw new UnknownSymbolError({ message: "Unsupported symbol XAU/USD" });
    return { method: "subscribe", success: true };
  }

  @Command("validate")
  @UsePipes(new ValidationPipe())
  validate(@MessageBody() _message: SubscribeDto) {
    return { method: "validate", success: true };
  }

  @Command("ws-exception")
  wsException() {
    throw new WsException("pairs must not be empty");
  }

  @Command("http-forbidden")
  forbidden() {
    throw new ForbiddenException("not your account");
  }

  @Command("crash")
  crash() {
    throw new Error("connection string postgres://admin:hunter2@db");
  }

  @Command("crash-with-key")
  crashWithKey() {
    throw new Error("upstream refused api_key=sk_live_nestsecret for account 7");
  }
}

@WsErrorsGateway({ path: "/ws" })
class SignalsGateway {
  @Command("subscription.request")
  subscribe() {
    throw new ForbiddenError({ field: "StrategyId", message: "Not authorized to subscribe to Strategy" });
  }
}

/* Esca without its invalid-argument, invalid-message and internal entries: a user's small catalog. */
const lean = createCodec({
  ...escaRates.catalog,
  name: "lean",
  errors: escaRates.catalog.errors.filter((e) => !["invalid-argument", "invalid-message", "internal"].includes(e.kind)),
}) as Codec<WsError>;

@WsErrorsGateway({ path: "/lean", codec: lean })
class LeanGateway {
  @Command("ws-exception")
  wsException() {
    throw new WsException("pairs must not be empty");
  }

  @Command("validate")
  @UsePipes(new ValidationPipe())
  validate(@MessageBody() _message: SubscribeDto) {
    return { method: "validate", success: true };
  }
}

const logs: string[] = [];
async function start(): Promise<{ app: INestApplication; port: number }> {
  @Module({
    imports: [
      WsErrorsModule.forRootAsync({
        useFactory: () => ({
          codec: escaRates,
          policies: [apiKey({ from: { header: "x-api-key" }, verify: (k) => k === "demo-key" }), connectionCap({ perKey: 2 })],
          logger: { error: (m, c) => logs.push(`${m} ${JSON.stringify(c)}`), warn: () => undefined },
        }),
      }),
    ],
    providers: [RatesGateway],
  })
  class RatesModule {}
  const app = await NestFactory.create(RatesModule, { logger: false });
  app.useWebSocketAdapter(new WsErrorsAdapter(app));
  await app.listen(0, "127.0.0.1");
  return { app, port: (app.getHttpServer().address() as AddressInfo).port };
}

function client(url: string, headers: Record<string, string> = { "x-api-key": "demo-key" }) {
  return new Promise<{ ws: WebSocket; next: () => Promise<Record<string, unknown>> }>((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const queue: Record<string, unknown>[] = [];
    const waiting: ((m: Record<string, unknown>) => void)[] = [];
    ws.on("message", (d) => {
      const m = JSON.parse(d.toString());
      const w = waiting.shift();
      if (w) w(m);
      else queue.push(m);
    });
    ws.on("open", () => resolve({ ws, next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise((r) => waiting.push(r))) }));
    ws.on("unexpected-response", (_q, res) => reject(Object.assign(new Error(String(res.statusCode)), { status: res.statusCode })));
  });
}

let running: INestApplication | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("NestJS gateways with @ws-errors/nestjs, raw ws clients", () => {
  it("broadcasts through @WebSocketServer()'s clients, as on Nest's own ws adapter", async () => {
    const { app, port } = await start();
    running = app;
    const a = await client(`ws://127.0.0.1:${port}/v1/rates`);
    const b = await client(`ws://127.0.0.1:${port}/v1/rates`);
    a.ws.send(JSON.stringify({ method: "broadcast", text: "maintenance at noon" }));
    const toA = [await a.next(), await a.next()];
    expect(toA).toContainEqual({ method: "announcement", text: "maintenance at noon" });
    expect(toA).toContainEqual(expect.objectContaining({ method: "broadcast", success: true, clients: 2 }));
    expect(await b.next()).toEqual({ method: "announcement", text: "maintenance at noon" });
    a.ws.close();
    b.ws.close();
  });

  it("rejects the upgrade before it happens, with the catalog's status (nestjs/nest#882), and caps connections", async () => {
    const { app, port } = await start();
    running = app;
    await expect(client(`ws://127.0.0.1:${port}/v1/rates`, { "x-api-key": "wrong" })).rejects.toMatchObject({ status: 401 });
    const a = await client(`ws://127.0.0.1:${port}/v1/rates`);
    const b = await client(`ws://127.0.0.1:${port}/v1/rates`);
    await expect(client(`ws://127.0.0.1:${port}/v1/rates`)).rejects.toMatchObject({ status: 429 });
    a.ws.close();
    b.ws.close();
  });

  it("sends thrown catalog errors to the raw client in the dialect's envelope with the correlation id (nestjs/nest#9056)", async () => {
    const { app, port } = await start();
    running = app;
    const { ws, next } = await client(`ws://127.0.0.1:${port}/v1/rates`);
    ws.send(JSON.stringify({ method: "subscribe", req_id: 7, pairs: ["XAU/USD"] }));
    expect(await next()).toEqual({ success: false, req_id: 7, method: "subscribe", error: { code: "unknown_symbol", message: "Unsupported symbol XAU/USD" } });
    ws.send(JSON.stringify({ method: "subscribe", req_id: 8, pairs: ["EUR/USD"] }));
    expect(await next()).toEqual({ method: "subscribe", success: true, req_id: 8 });
    ws.send(JSON.stringify({ method: "nope", req_id: 9 }));
    expect(await next()).toMatchObject({ success: false, req_id: 9, error: { code: "invalid_message" } });
    ws.send("{broken");
    expect(await next()).toMatchObject({ type: "error", code: "invalid_message" });
    ws.close();
  });

  it("maps ValidationPipe failures, WsException and HttpException to catalog kinds, with the field", async () => {
    const { app, port } = await start();
    running = app;
    const { ws, next } = await client(`ws://127.0.0.1:${port}/v1/rates`);
    ws.send(JSON.stringify({ method: "validate", req_id: 1, pairs: "EUR/USD" }));
    expect(await next()).toMatchObject({ success: false, req_id: 1, error: { code: "invalid_message", message: expect.stringContaining("pairs") } });
    ws.send(JSON.stringify({ method: "ws-exception", req_id: 2 }));
    expect(await next()).toMatchObject({ req_id: 2, error: { code: "invalid_message", message: "pairs must not be empty" } });
    ws.send(JSON.stringify({ method: "http-forbidden", req_id: 3 }));
    // Esca has no permission-denied entry: the catalog's internal error, connection-scoped as Esca sends it.
    expect(await next()).toEqual({ type: "error", code: "internal_error", message: "Server-side fault." });
    ws.close();
  });

  it("answers WsException and ValidationPipe failures as bad input even when the catalog has no entry for it (they were internal errors, logged)", async () => {
    @Module({
      imports: [WsErrorsModule.forRoot({ codec: escaRates, logger: { error: (m) => logs.push(m), warn: () => undefined } })],
      providers: [LeanGateway],
    })
    class LeanModule {}
    const app = await NestFactory.create(LeanModule, { logger: false });
    app.useWebSocketAdapter(new WsErrorsAdapter(app));
    await app.listen(0, "127.0.0.1");
    running = app;
    logs.length = 0;
    const { ws, next } = await client(`ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/lean`);
    ws.send(JSON.stringify({ method: "ws-exception", req_id: 5 }));
    expect(await next()).toEqual({ success: false, req_id: 5, method: "ws-exception", error: { code: "invalid_message", message: "pairs must not be empty" } });
    ws.send(JSON.stringify({ method: "validate", req_id: 6, pairs: "EUR/USD" }));
    expect(await next()).toMatchObject({ req_id: 6, error: { code: "invalid_message", message: expect.stringContaining("pairs") } });
    expect(logs).toEqual([]);
    ws.close();
  });

  it("sends an unexpected exception as the internal error, leaking nothing, and logs it", async () => {
    const { app, port } = await start();
    running = app;
    const { ws, next } = await client(`ws://127.0.0.1:${port}/v1/rates`);
    ws.send(JSON.stringify({ method: "crash", req_id: 4 }));
    const frame = await next();
    // Esca's internal_error is a connection-scope frame, so it carries no req_id.
    expect(frame).toEqual({ type: "error", code: "internal_error", message: "Server-side fault." });
    expect(JSON.stringify(frame)).not.toMatch(/postgres|hunter2|Error:/);
    expect(logs.some((l) => l.includes("hunter2"))).toBe(true);
    ws.close();
  });

  it("logs through the server's redacting logger and names what was thrown (the filter logged keys unredacted)", async () => {
    const { app, port } = await start();
    running = app;
    const { ws, next } = await client(`ws://127.0.0.1:${port}/v1/rates`);
    ws.send(JSON.stringify({ method: "crash-with-key", req_id: 5 }));
    await next();
    const line = logs.find((l) => l.includes("crash-with-key"));
    expect(line).toContain("the crash-with-key gateway handler threw Error: upstream refused api_key=[redacted]");
    expect(logs.join("\n")).not.toContain("sk_live_nestsecret");
    ws.close();
  });

  it("answers seed 003's curl example with the documented 401 (a Collective2 gateway)", async () => {
    @Module({
      imports: [WsErrorsModule.forRoot({ codec: collective2, policies: [apiKey({ from: { bearer: true }, verify: (k) => k === "demo-key" })] })],
      providers: [SignalsGateway],
    })
    class SignalsModule {}
    const app = await NestFactory.create(SignalsModule, { logger: false });
    app.useWebSocketAdapter(new WsErrorsAdapter(app));
    await app.listen(0, "127.0.0.1");
    running = app;
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const { stdout } = await promisify(execFile)("curl", [
      "-s",
      "-i",
      "-H",
      "Authorization: Bearer INVALID_KEY",
      "-H",
      "Connection: Upgrade",
      "-H",
      "Upgrade: websocket",
      "-H",
      "Sec-WebSocket-Version: 13",
      "-H",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      `http://127.0.0.1:${port}/ws`,
    ]);
    const [head, body] = stdout.split("\r\n\r\n");
    expect(head?.split("\r\n")[0]).toBe("HTTP/1.1 401 Unauthorized");
    expect(head).toMatch(/\r\nx-ws-error: Invalid API key(\r\n|$)/i);
    expect(body).toBe('{"code":"UNAUTHORIZED","message":"Invalid API key"}');
    const { ws, next } = await client(`ws://127.0.0.1:${port}/ws`, { authorization: "Bearer demo-key" });
    ws.send(JSON.stringify({ msg_type: "subscription.request", request_id: "my-sub-001", payload: {} }));
    expect(await next()).toMatchObject({ msg_type: "error", request_id: "my-sub-001", payload: { code: "FORBIDDEN", field: "StrategyId" } });
    ws.close();
  });
});
