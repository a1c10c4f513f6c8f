import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { connect, type WsErrorClient } from "@ws-errors/node";
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { FAST_TIMING, REAL_TIMING, STRATEGY_ID, startDemoServers, type DemoServers, type Timing } from "../src/index";

let demo: DemoServers | undefined;
const clients: WsErrorClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await demo?.close();
  demo = undefined;
});
async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
const start = async (timing: Partial<Timing> = {}) => (demo = await startDemoServers({ port: 0, timing: { ...REAL_TIMING, ...timing } }));
const subscribe = (resumeFrom?: number) => ({
  msg_type: "subscription.request",
  timestamp: new Date().toISOString(),
  payload: { action: "subscribe", channel: "strategy.signal", strategy_id: STRATEGY_ID, ...(resumeFrom !== undefined && { resume_from: String(resumeFrom) }) },
});

describe("the demo servers", () => {
  it("answer seed 003's curl example at /collective2/ws with exactly the documented 401, header and body", async () => {
    const { port } = await start();
    const { stdout } = await promisify(execFile)("curl", [
      "-i",
      "-s",
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

  it("resume: every Collective2 signal exactly once and in order across forced disconnects", async () => {
    await start({ signalEveryMs: 5 });
    const endpoint = demo!.endpoints.find((e) => e.name === "Collective2")!;
    const client = connect(`${demo!.url}/collective2/ws`, {
      codec: collective2,
      ws: { headers: { authorization: "Bearer demo-key" } },
      reconnect: { initialMs: 5, maxMs: 20 },
      resume: (seq, c) => c.send(subscribe(Number(seq))),
    });
    clients.push(client as unknown as WsErrorClient);
    const seqs: number[] = [];
    client.on("message", (m: { msg_type: string; seq_id?: number }) => m.msg_type === "strategy.signal" && seqs.push(m.seq_id as number));
    await new Promise((r) => client.once("open", r));
    await client.request(subscribe());
    let drops = 0;
    while (drops < 6) {
      const before = seqs.length;
      await until(() => seqs.length >= before + 20, "signals");
      // Drop the connection with no close frame: the client sees 1006 and resumes.
      for (const connection of endpoint.server.connections) connection.socket.terminate();
      drops++;
      await until(() => client.state === "open" && seqs.length > before + 25, "the resumed stream");
    }
    expect(seqs.length).toBeGreaterThan(150);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1] as number) + 1);
  }, 20_000);

  it("gap fill replays at most 1000 signals in order, then sends a gap message", async () => {
    await start({ signalEveryMs: 1 });
    const ws = new WebSocket(`${demo!.url}/collective2/ws`, { headers: { authorization: "Bearer demo-key" } });
    const messages: { msg_type: string; seq_id?: number; payload: Record<string, unknown> }[] = [];
    ws.on("message", (d) => messages.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.once("open", r));
    ws.send(JSON.stringify(subscribe()));
    await until(() => messages.some((m) => m.msg_type === "strategy.signal"), "a first signal");
    const first = messages.find((m) => m.msg_type === "strategy.signal")!.seq_id as number;
    ws.close();
    // Wait until more than 1000 signals were published after `first`.
    const probe = new WebSocket(`${demo!.url}/collective2/ws`, { headers: { authorization: "Bearer demo-key" } });
    let latest = first;
    probe.on("message", (d) => {
      const m = JSON.parse(d.toString());
      if (m.msg_type === "strategy.signal") latest = m.seq_id;
    });
    await new Promise((r) => probe.once("open", r));
    probe.send(JSON.stringify(subscribe()));
    await until(() => latest > first + 1100, "1100 more signals", 15_000);
    probe.close();
    const replay = new WebSocket(`${demo!.url}/collective2/ws`, { headers: { authorization: "Bearer demo-key" } });
    const got: { msg_type: string; seq_id?: number; payload: Record<string, unknown> }[] = [];
    replay.on("message", (d) => got.push(JSON.parse(d.toString())));
    await new Promise((r) => replay.once("open", r));
    replay.send(JSON.stringify(subscribe(first)));
    await until(() => got.some((m) => m.msg_type === "gap"), "the gap message", 5000);
    const replayed = got.slice(
      got.findIndex((m) => m.msg_type === "subscription.ack") + 1,
      got.findIndex((m) => m.msg_type === "gap"),
    );
    expect(replayed).toHaveLength(1000);
    expect(replayed.map((m) => m.seq_id)).toEqual(Array.from({ length: 1000 }, (_, i) => first + 1 + i));
    expect(got.find((m) => m.msg_type === "gap")?.payload).toEqual({
      strategy_id: STRATEGY_ID,
      channel: `strategy.signal:${STRATEGY_ID}`,
      from: first + 1001,
      message: "Replay limit of 1000 messages exceeded",
    });
    replay.close();
  }, 30_000);

  it("revoke revoked-key within the re-check interval: Esca closes with auth_failed", async () => {
    await start({ ...FAST_TIMING, revokeAfterMs: 300 });
    const client = connect(`${demo!.url}/esca/v1/rates`, { codec: escaRates, ws: { headers: { "x-api-key": "revoked-key" } }, reconnect: false });
    clients.push(client as unknown as WsErrorClient);
    const closed = new Promise<{ code: number; reason: string }>((r) => client.once("close", r));
    const opened = Date.now();
    await new Promise((r) => client.once("open", r));
    expect(await closed).toEqual({ code: 4001, reason: "auth_failed" });
    expect(Date.now() - opened).toBeLessThan(300 + FAST_TIMING.recheckMs + 200);
  });

  it("cap Collective2 at 10 connections per key under racing connects, and stream TickDB tickers", async () => {
    await start();
    const many = Array.from({ length: 14 }, () =>
      connect(`${demo!.url}/collective2/ws`, { codec: collective2, ws: { headers: { authorization: "Bearer demo-key" } }, reconnect: false }),
    );
    clients.push(...(many as unknown as WsErrorClient[]));
    await until(() => many.every((c) => c.state !== "connecting"), "every attempt to settle");
    expect(many.filter((c) => c.state === "open")).toHaveLength(10);

    const ticker = connect(`${demo!.url}/tickdb/v1/realtime?api_key=demo-key`, { codec: tickdb });
    clients.push(ticker as unknown as WsErrorClient);
    await new Promise((r) => ticker.once("open", r));
    await ticker.request({ cmd: "subscribe", data: { channel: "ticker", symbols: ["AAPL.US", "BTCUSDT"] } });
    const ticks: { cmd: string; data: { symbol: string } }[] = [];
    ticker.on("message", (m: { cmd: string; data: { symbol: string } }) => ticks.push(m));
    await until(() => new Set(ticks.map((t) => t.data.symbol)).size === 2, "both symbols");
    expect(ticks.every((t) => t.cmd === "ticker")).toBe(true);
  });
});
