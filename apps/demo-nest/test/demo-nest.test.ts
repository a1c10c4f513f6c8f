import { execFile } from "node:child_process";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import type { INestApplication } from "@nestjs/common";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNestDemo } from "../src/app";

let app: INestApplication;
let port: number;
beforeAll(async () => {
  app = await startNestDemo(0);
  port = (app.getHttpServer().address() as AddressInfo).port;
});
afterAll(() => app.close());

function open(path: string, headers: Record<string, string>) {
  return new Promise<{ ws: WebSocket; messages: Record<string, unknown>[] }>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    const messages: Record<string, unknown>[] = [];
    ws.on("message", (d) => messages.push(JSON.parse(d.toString())));
    ws.on("open", () => resolve({ ws, messages }));
    ws.on("unexpected-response", (_q, r) => reject(Object.assign(new Error(String(r.statusCode)), { status: r.statusCode })));
  });
}
async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("pnpm demo:nest", () => {
  it("answers seed 003's curl example with the documented 401, header and body", async () => {
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
      `http://127.0.0.1:${port}/collective2/ws`,
    ]);
    const [head, body] = stdout.split("\r\n\r\n");
    expect(head?.split("\r\n")[0]).toBe("HTTP/1.1 401 Unauthorized");
    expect(head).toMatch(/\r\nx-ws-error: Invalid API key(\r\n|$)/i);
    expect(body).toBe('{"code":"UNAUTHORIZED","message":"Invalid API key"}');
  });

  it("sends Collective2 error frames and signals that a raw ws client receives", async () => {
    const { ws, messages } = await open("/collective2/ws", { authorization: "Bearer demo-key" });
    ws.send(JSON.stringify({ msg_type: "subscription.request", request_id: "bad", payload: {} }));
    ws.send(
      JSON.stringify({ msg_type: "subscription.request", request_id: "other", payload: { action: "subscribe", channel: "strategy.signal", strategy_id: 1 } }),
    );
    ws.send(
      JSON.stringify({
        msg_type: "subscription.request",
        request_id: "mine",
        payload: { action: "subscribe", channel: "strategy.signal", strategy_id: 12345678 },
      }),
    );
    await until(() => messages.some((m) => m.msg_type === "strategy.signal"));
    expect(messages[0]).toMatchObject({ msg_type: "connection.connected" });
    expect(messages.find((m) => m.request_id === "bad")).toMatchObject({
      msg_type: "error",
      payload: {
        errors: [
          { code: "MANDATORY_PARAM_EMPTY_OR_MALFORMED", field: "payload.channel" },
          { code: "INVALID_PARAMETER", field: "payload.strategy_id" },
        ],
      },
    });
    expect(messages.find((m) => m.request_id === "other")).toMatchObject({ msg_type: "error", payload: { code: "FORBIDDEN", field: "StrategyId" } });
    expect(messages.find((m) => m.request_id === "mine")).toMatchObject({ msg_type: "subscription.ack" });
    ws.close();
  });

  it("serves Esca with its own catalog: acks with req_id, unknown_symbol, and the 5-per-account cap", async () => {
    const { ws, messages } = await open("/esca/v1/rates", { "x-api-key": "demo-key" });
    ws.send(JSON.stringify({ method: "subscribe", req_id: 1, pairs: ["EUR/USD"] }));
    ws.send(JSON.stringify({ method: "subscribe", req_id: 2, pairs: ["XAU/USD"] }));
    await until(() => messages.length === 2);
    expect(messages).toContainEqual({ method: "subscribe", success: true, pairs: ["EUR/USD"], req_id: 1 });
    expect(messages).toContainEqual({
      success: false,
      req_id: 2,
      method: "subscribe",
      error: { code: "unknown_symbol", message: "Unsupported symbol XAU/USD" },
    });
    const more = await Promise.all(Array.from({ length: 4 }, () => open("/esca/v1/rates", { "x-api-key": "demo-key" })));
    await expect(open("/esca/v1/rates", { "x-api-key": "demo-key" })).rejects.toMatchObject({ status: 429 });
    for (const c of [...more, { ws }]) c.ws.close();
  });
});
