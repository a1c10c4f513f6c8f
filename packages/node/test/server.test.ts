import { execFile } from "node:child_process";
import { connect as netConnect } from "node:net";
import { promisify } from "node:util";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { createCodec, type Codec, type WsError } from "@ws-errors/core";
import { afterEach, describe, expect, it } from "vitest";
import { apiKey, attemptRate, connectionCap, forwardedFor, heartbeat, messageRate, recheck, redact, slowConsumer, socketAddress } from "../src/index";
import { raw, sleep, start, until, type Running } from "./helpers";

const c2 = collective2;
const esca = escaRates;
let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("upgrade layer", () => {
  it("answers seed 003's own curl example with the documented 401", async () => {
    running = await start({ codec: c2, policies: [apiKey({ from: { bearer: true }, verify: (k) => k === "demo-key" })] });
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
      `http://127.0.0.1:${running.port}/ws`,
    ]);
    expect(stdout).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(stdout).toMatch(/\r\nx-ws-error: Invalid API key\r\n/i);
    expect(stdout.split("\r\n\r\n")[1]).toBe('{"code":"UNAUTHORIZED","message":"Invalid API key"}');
    // The key never reaches a log.
    expect(JSON.stringify(running.logs)).not.toContain("INVALID_KEY");
  });

  it("reads the key from a header, a bearer token or a query parameter, as configured", async () => {
    const verify = (k: string) => k === "demo-key";
    running = await start({ codec: c2, policies: [apiKey({ from: [{ header: "x-api-key" }, { bearer: true }, { query: "api_key" }], verify })] });
    await (await raw(running.url, { headers: { "x-api-key": "demo-key" } })).ws.close();
    await (await raw(running.url, { headers: { authorization: "Bearer demo-key" } })).ws.close();
    await (await raw(`${running.url}?api_key=demo-key`)).ws.close();
    await expect(raw(`${running.url}?api_key=other`)).rejects.toMatchObject({ status: 401 });
    await expect(raw(running.url)).rejects.toMatchObject({ status: 401 });
  });

  it("gives browsers (requests with Origin) the 4xxx fallback close instead of a status they cannot see", async () => {
    running = await start({ codec: c2, policies: [apiKey({ from: { bearer: true }, verify: () => false })] });
    const { closed } = await raw(running.url, { headers: { authorization: "Bearer x", origin: "http://localhost" } });
    expect(await closed).toEqual({ code: 4401, reason: "Invalid API key" });
  });

  it("rejects the 6th attempt in a minute with 429 and Retry-After", async () => {
    running = await start({ codec: esca, policies: [attemptRate({ limit: 5 })] });
    for (let i = 0; i < 5; i++) (await raw(running.url)).ws.close();
    const rejected = await raw(running.url).catch((e: { status: number; headers: Record<string, string> }) => e);
    expect(rejected).toMatchObject({ status: 429 });
    // The seconds until the sliding window admits one more: within the minute, never zero.
    const retryAfter = Number((rejected as { headers: Record<string, string> }).headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(120);
  });

  it("behind a proxy: warns once when upgrades carry X-Forwarded-For but addresses come from the socket; forwardedFor counts each client", async () => {
    const viaProxy = (client: string) => ({ headers: { "x-forwarded-for": client } });
    // Every client reaches the server from the proxy's address: a limit of 2 per address is all of them.
    running = await start({ codec: esca, policies: [attemptRate({ limit: 2 })] });
    for (const client of ["203.0.113.1", "203.0.113.2"]) (await raw(running.url, viaProxy(client))).ws.close();
    await expect(raw(running.url, viaProxy("203.0.113.3"))).rejects.toMatchObject({ status: 429 });
    const warnings = running.logs.filter((l) => l.level === "warn" && l.message.includes("X-Forwarded-For"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain("clientAddress: forwardedFor({ hops: 1 })");
    await running.close();
    // Told how addresses are read, either way: no warning; with forwardedFor, each client its own.
    running = await start({ codec: esca, clientAddress: forwardedFor({ hops: 1 }), policies: [attemptRate({ limit: 2 })] });
    for (const client of ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.3"]) (await raw(running.url, viaProxy(client))).ws.close();
    await expect(raw(running.url, viaProxy("203.0.113.3"))).rejects.toMatchObject({ status: 429 });
    expect(running.logs.filter((l) => l.level === "warn")).toEqual([]);
    await running.close();
    running = await start({ codec: esca, clientAddress: socketAddress });
    (await raw(running.url, viaProxy("203.0.113.1"))).ws.close();
    expect(running.logs.filter((l) => l.level === "warn")).toEqual([]);
  });

  it("turns an exception in an upgrade check into the catalog's internal error, leaking nothing", async () => {
    running = await start({
      codec: esca,
      authenticate: () => {
        throw new Error("db password hunter2 at /srv/app.js:12");
      },
    });
    const socket = netConnect(running.port, "127.0.0.1");
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Api-Key: sk_live_secret\r\n\r\n`,
    );
    const response = await new Promise<string>((resolve) => {
      let text = "";
      socket.on("data", (d) => (text += d.toString()));
      socket.on("end", () => resolve(text));
    });
    expect(response).toMatch(/^HTTP\/1\.1 500 /);
    expect(response).toContain('{"type":"error","code":"internal_error","message":"Server-side fault."}');
    expect(response).not.toMatch(/hunter2|app\.js|stack/);
    expect(running.logs[0]?.context).toContain("hunter2");
  });
});

describe("connection caps", () => {
  it("gives a slot back when a later check refuses the upgrade or the client leaves mid-handshake", async () => {
    let refuse = 2;
    running = await start({
      codec: c2,
      policies: [
        apiKey({ from: { bearer: true }, verify: () => true }),
        connectionCap({ perKey: 1 }),
        {
          name: "refuse-twice",
          upgrade: () => {
            if (refuse-- > 0) throw new collective2.classes.forbidden!();
          },
        },
      ],
    });
    await expect(raw(running.url, { headers: { authorization: "Bearer k" } })).rejects.toBeTruthy();
    await expect(raw(running.url, { headers: { authorization: "Bearer k" } })).rejects.toBeTruthy();
    // Both refusals returned their slot: the cap of one admits the third attempt.
    const third = await raw(running.url, { headers: { authorization: "Bearer k" } });
    await expect(raw(running.url, { headers: { authorization: "Bearer k" } })).rejects.toMatchObject({ status: 429 });
    third.ws.close();
    await until(() => running!.server.connections.size === 0, "the close");
    await sleep(20);
    (await raw(running.url, { headers: { authorization: "Bearer k" } })).ws.close();
  });

  it("gives a slot back when a later policy refuses the connection in its open hook", async () => {
    let refuse = 1;
    running = await start({
      codec: c2,
      policies: [
        apiKey({ from: { bearer: true }, verify: () => true }),
        connectionCap({ perKey: 1 }),
        {
          name: "refuse-open",
          open: () => {
            if (refuse-- > 0) throw new collective2.classes.forbidden!();
          },
        },
      ],
    });
    const refused = await raw(running.url, { headers: { authorization: "Bearer k" } });
    await refused.closed;
    await until(() => running!.server.connections.size === 0, "the refused connection's close");
    await sleep(20);
    // The refused connection's slot came back through the cap's close hook: the cap of one admits this one.
    const admitted = await raw(running.url, { headers: { authorization: "Bearer k" } });
    await expect(raw(running.url, { headers: { authorization: "Bearer k" } })).rejects.toMatchObject({ status: 429 });
    admitted.ws.close();
  });

  it("keeps nothing per idle connection that could be shared: its socket listeners are the same functions for every connection", async () => {
    running = await start({ codec: c2, policies: [heartbeat({ intervalMs: 60_000, timeoutMs: 60_000 }), messageRate({ limit: 10 })] });
    const [a, b] = [await raw(running.url), await raw(running.url)];
    await until(() => running!.server.connections.size === 2, "both connections");
    const [x, y] = [...running.server.connections].map((c) => c.socket);
    // The heartbeat reads the socket's byte count: no pong listener at all.
    expect(x!.listenerCount("pong")).toBe(0);
    for (const event of ["message", "close", "error"]) {
      const shared = x!.listeners(event).filter((listener) => y!.listeners(event).includes(listener));
      expect(shared, event).toHaveLength(1);
      // Ours alone: ws's server tracks no clients of its own (a closure and a listener each).
      expect(x!.listeners(event).length, event).toBe(1);
    }
    expect(running.server.wsServer.clients).toBeUndefined();
    // And the server finds each connection from its socket without a table of its own.
    expect(running.server.connectionOf(x!)?.socket).toBe(x);
    a.ws.close();
    b.ws.close();
  });

  it("keeps ws's client set when asked, and close() resolves once every connection has closed", async () => {
    for (const clientTracking of [true, false]) {
      running = await start({ codec: c2, clientTracking });
      const clients = [await raw(running.url), await raw(running.url)];
      await until(() => running!.server.connections.size === 2, "both connections");
      expect(running.server.wsServer.clients?.size).toBe(clientTracking ? 2 : undefined);
      await running.server.close();
      expect(running.server.connections.size, `clientTracking: ${clientTracking}`).toBe(0);
      expect((await Promise.all(clients.map((c) => c.closed))).map((c) => c.code)).toEqual([1001, 1001]);
      await running.close();
      running = undefined;
    }
  });

  it("close() called twice while connections are open resolves both calls", async () => {
    running = await start({ codec: c2 });
    const client = await raw(running.url);
    await until(() => running!.server.connections.size === 1, "the connection");
    await Promise.all([running.server.close(), running.server.close()]);
    expect(running.server.connections.size).toBe(0);
    expect((await client.closed).code).toBe(1001);
  });

  it("emits connection for each open connection, after onConnection, and close once when close() is done", async () => {
    const order: string[] = [];
    running = await start({
      codec: c2,
      policies: [apiKey({ from: { header: "x-api-key" }, verify: (key) => key === "good" })],
      onConnection: (c) => void order.push(`option ${c.principal?.key}`),
    });
    const server = running.server;
    server.on("connection", (connection) => {
      order.push(`event ${connection.principal?.key}`);
      connection.send({ msg_type: "welcome" });
    });
    let closes = 0;
    server.on("close", () => closes++);
    const client = await raw(running.url, { headers: { "x-api-key": "good" } });
    await until(() => client.messages.length === 1, "the welcome");
    expect(client.messages[0]).toEqual({ msg_type: "welcome" });
    await expect(raw(running.url, { headers: { "x-api-key": "bad" } })).rejects.toMatchObject({ status: 401 });
    expect(order).toEqual(["option good", "event good"]);
    // A listener that throws is answered as a throwing onConnection is: the internal error, nothing leaked.
    server.removeAllListeners("connection");
    server.on("connection", () => {
      throw new Error("db password hunter2");
    });
    const second = await raw(running.url, { headers: { "x-api-key": "good" } });
    await until(() => second.messages.length === 1, "the internal error");
    expect(JSON.stringify(second.messages[0])).toContain("UNKNOWN");
    expect(JSON.stringify(second.messages[0])).not.toContain("hunter2");
    expect(second.ws.readyState).toBe(second.ws.OPEN);
    await Promise.all([server.close(), server.close()]);
    expect(closes).toBe(1);
  });

  it("keeps the request headers it is told to keep, and none by default", async () => {
    const seen: Record<string, unknown>[] = [];
    for (const keepHeaders of [undefined, ["User-Agent"], true] as const) {
      running = await start({
        codec: c2,
        ...(keepHeaders !== undefined && { keepHeaders }),
        onConnection: (c) => void seen.push({ ...c.request.headers, url: c.request.url, method: c.request.method }),
      });
      (await raw(`${running.url}?stream=1`, { headers: { "user-agent": "probe/1", "x-team": "blue" } })).ws.close();
      await running.close();
      running = undefined;
    }
    expect(seen[0]).toEqual({ url: "/ws?stream=1", method: "GET" });
    expect(seen[1]).toEqual({ "user-agent": "probe/1", url: "/ws?stream=1", method: "GET" });
    expect(seen[2]).toMatchObject({ "user-agent": "probe/1", "x-team": "blue", host: expect.any(String) });
    // The handshake's own headers are not kept even with `true`.
    expect(seen[2]).not.toHaveProperty("sec-websocket-key");
    expect(seen[2]).not.toHaveProperty("upgrade");
  });

  it("holds exactly when upgrades race: no key ever exceeds its cap, and every loser gets 429 before the upgrade", async () => {
    let peak = 0;
    running = await start({
      codec: c2,
      policies: [
        apiKey({ from: { bearer: true }, verify: () => true }),
        connectionCap({ perKey: 3 }),
        // A slow check after the cap (another instance, a database) lets many upgrades pass the
        // cap before any of them opens: slots are taken atomically at the cap, so none slips past.
        { name: "slow", upgrade: () => sleep(30) },
      ],
      onConnection: () => (peak = Math.max(peak, running!.server.connections.size)),
    });
    const attempts = await Promise.allSettled(Array.from({ length: 12 }, () => raw(running!.url, { headers: { authorization: "Bearer demo-key" } })));
    const open = attempts.filter((a) => a.status === "fulfilled").map((a) => (a as PromiseFulfilledResult<Awaited<ReturnType<typeof raw>>>).value);
    expect(open).toHaveLength(3);
    expect(attempts.filter((a) => a.status === "rejected").map((a) => ((a as PromiseRejectedResult).reason as { status: number }).status)).toEqual(
      Array(9).fill(429),
    );
    expect(peak).toBeLessThanOrEqual(3);
    expect(running.server.connections.size).toBe(3);
    // With three open, the next one is refused before the upgrade.
    await expect(raw(running.url, { headers: { authorization: "Bearer demo-key" } })).rejects.toMatchObject({ status: 429 });
    for (const o of open) o.ws.close();
    await until(() => running!.server.connections.size === 0, "closes");
    (await raw(running.url, { headers: { authorization: "Bearer demo-key" } })).ws.close();
  });
});

describe("frame layer", () => {
  it("answers malformed JSON with the invalid-message frame and keeps the connection", async () => {
    running = await start({ codec: esca, commands: { ping: (m) => ({ method: "ping", success: true, req_id: m.requestId }) } });
    const { ws, messages } = await raw(running.url);
    ws.send("{not json");
    ws.send(Buffer.from([0xff, 0x00, 0x13]), { binary: true });
    ws.send(JSON.stringify({ method: "ping", req_id: 9 }));
    await until(() => messages.length === 3, "three answers");
    expect(messages[0]).toEqual({ type: "error", code: "invalid_message", message: "Malformed JSON, or an unknown method." });
    expect(messages[2]).toEqual({ method: "ping", success: true, req_id: 9 });
    ws.close();
  });

  it("echoes the request id into a reply that has none, where the dialect puts it, as NestJS gateways do (a plain server's replies went without it and request() timed out)", async () => {
    const shared = { success: true, nested: { ok: 1 } };
    class Dto {
      constructor(readonly symbol: string) {}
      toJSON() {
        return { symbol: this.symbol.toUpperCase() };
      }
    }
    running = await start({
      codec: c2, // requestId at request_id, command at msg_type
      commands: {
        subscribe: () => shared,
        dto: () => new Dto("aapl"),
        own: () => ({ request_id: "mine" }),
        list: () => [1, 2],
        text: () => '{"as":"is"}',
      },
    });
    const { ws, messages } = await raw(running.url);
    for (const [msg_type, request_id] of [
      ["subscribe", 1],
      ["dto", "r-2"],
      ["own", 3],
      ["list", 4],
      ["text", 5],
      ["subscribe", undefined],
    ] as const)
      ws.send(JSON.stringify({ msg_type, request_id }));
    await until(() => messages.length === 6, "six replies");
    expect(messages).toEqual([
      { success: true, nested: { ok: 1 }, request_id: 1 },
      { symbol: "AAPL", request_id: "r-2" },
      { request_id: "mine" },
      [1, 2],
      { as: "is" },
      { success: true, nested: { ok: 1 } },
    ]);
    expect(shared).toEqual({ success: true, nested: { ok: 1 } }); // the handler's object is not changed
    // And a client's request() gets its answer.
    const client = (await import("../src/index")).connect(running.url, { codec: c2, reconnect: false });
    await expect(client.request({ msg_type: "subscribe" })).resolves.toEqual({ success: true, nested: { ok: 1 }, request_id: 1 });
    client.close();
    ws.close();
  });

  it("echoes a nested request id path without touching the handler's nested object", async () => {
    const nested = createCodec({
      ...esca.catalog,
      name: "nested",
      dialect: { ...esca.catalog.dialect, requests: { command: "method", requestId: "meta.id" } },
    }) as Codec<WsError>;
    const meta = { trace: "t" };
    running = await start({ codec: nested, commands: { ping: () => ({ pong: true, meta }) } });
    const { ws, messages } = await raw(running.url);
    ws.send(JSON.stringify({ method: "ping", meta: { id: 8 } }));
    await until(() => messages.length === 1, "the reply");
    expect(messages[0]).toEqual({ pong: true, meta: { trace: "t", id: 8 } });
    expect(meta).toEqual({ trace: "t" });
    ws.close();
  });

  it("answers an unknown command with a command-scope error echoing its correlation fields", async () => {
    running = await start({ codec: esca, commands: { subscribe: () => ({ success: true }) } });
    const { ws, messages } = await raw(running.url);
    ws.send(JSON.stringify({ method: "frobnicate", req_id: 42 }));
    await until(() => messages.length === 1, "the answer");
    expect(messages[0]).toEqual({
      success: false,
      req_id: 42,
      method: "frobnicate",
      error: { code: "invalid_message", message: "Malformed JSON, or an unknown method." },
    });
    ws.close();
  });

  it("sends an unexpected handler exception as the internal error: no message, stack or cause; logs it with keys redacted", async () => {
    running = await start({
      codec: esca,
      policies: [apiKey({ from: { header: "x-api-key" }, verify: () => true })],
      commands: {
        subscribe: () => {
          throw new Error("cannot reach db for key sk_live_abcdef123");
        },
      },
    });
    const { ws, messages } = await raw(running.url, { headers: { "x-api-key": "sk_live_abcdef123" } });
    ws.send(JSON.stringify({ method: "subscribe", req_id: 1 }));
    await until(() => messages.length === 1, "the answer");
    expect(JSON.stringify(messages[0])).not.toMatch(/db|sk_live|Error:|at /);
    expect(messages[0]).toMatchObject({ type: "error", code: "internal_error" });
    expect(running.logs[0]?.context).toContain("cannot reach db");
    expect(JSON.stringify(running.logs)).not.toContain("sk_live_abcdef123");
    ws.close();
  });

  it("limits messages per connection with the rate-limited frame and keeps serving", async () => {
    running = await start({
      codec: c2,
      policies: [messageRate({ limit: 3, windowMs: 10_000 })],
      onMessage: (m) => ({ msg_type: "ok", request_id: m.requestId }),
    });
    const { ws, messages } = await raw(running.url);
    for (let i = 1; i <= 4; i++) ws.send(JSON.stringify({ msg_type: "subscription.request", request_id: `r${i}` }));
    await until(() => messages.length === 4, "four answers");
    // Handlers are async, so answers may come in any order; each carries its request id.
    expect(messages.find((m) => (m as { request_id: string }).request_id === "r4")).toMatchObject({
      msg_type: "error",
      payload: { code: "TOO_MANY_REQUESTS" },
    });
    expect(messages.filter((m) => (m as { msg_type: string }).msg_type === "ok")).toHaveLength(3);
    expect(ws.readyState).toBe(ws.OPEN);
    ws.close();
  });

  it("keeps serving through random bytes and oversized frames", async () => {
    running = await start({ codec: tickdb, maxPayload: 1024, onMessage: (m) => ({ cmd: m.command, code: 0, message: "success" }) });
    const flood = await raw(running.url);
    for (let i = 0; i < 200; i++) flood.ws.send(Buffer.from(Array.from({ length: 64 }, () => Math.floor(Math.random() * 256))));
    const big = await raw(running.url);
    big.ws.send("x".repeat(4096));
    expect((await big.closed).code).toBe(1009);
    const fine = await raw(running.url);
    fine.ws.send(JSON.stringify({ cmd: "ping" }));
    await until(() => fine.messages.length === 1, "an answer");
    expect(fine.messages[0]).toEqual({ cmd: "ping", code: 0, message: "success" });
    flood.ws.close();
    fine.ws.close();
  });
});

describe("liveness policies", () => {
  it("closes a client that never answers the heartbeat with the catalog's heartbeat timeout", async () => {
    running = await start({
      codec: c2,
      policies: [
        heartbeat({ intervalMs: 40, timeoutMs: 150, send: (c) => void c.send({ msg_type: "heartbeat" }), isAck: (m) => m.command === "heartbeat.ack" }),
      ],
    });
    const silent = await raw(running.url);
    const polite = await raw(running.url);
    polite.ws.on("message", (d) => JSON.parse(d.toString()).msg_type === "heartbeat" && polite.ws.send(JSON.stringify({ msg_type: "heartbeat.ack" })));
    expect(await silent.closed).toEqual({ code: 4000, reason: "Heartbeat timeout" });
    expect(silent.messages.some((m) => (m as { msg_type: string }).msg_type === "heartbeat")).toBe(true);
    expect(polite.ws.readyState).toBe(polite.ws.OPEN);
    polite.ws.close();
  });

  it("keeps a client that answers pings (ws answers them itself) and closes one that does not", async () => {
    running = await start({ codec: c2, policies: [heartbeat({ intervalMs: 40, timeoutMs: 150 })] });
    const answering = await raw(running.url);
    const silent = await raw(running.url, { autoPong: false });
    let pings = 0;
    answering.ws.on("ping", () => pings++);
    expect(await silent.closed).toEqual({ code: 4000, reason: "Heartbeat timeout" });
    await sleep(200);
    expect(pings).toBeGreaterThan(2);
    expect(answering.ws.readyState).toBe(answering.ws.OPEN);
    answering.ws.close();
  });

  it("closes a revoked key within the re-check interval (Esca: auth_failed frame, then close)", async () => {
    const revoked = new Set<string>();
    running = await start({
      codec: esca,
      policies: [apiKey({ from: { header: "x-api-key" }, verify: () => true }), recheck({ everyMs: 50, verify: ({ key }) => !revoked.has(key) })],
    });
    const client = await raw(running.url, { headers: { "x-api-key": "revoked-key" } });
    const keeper = await raw(running.url, { headers: { "x-api-key": "demo-key" } });
    revoked.add("revoked-key");
    expect(await client.closed).toEqual({ code: 4001, reason: "auth_failed" });
    expect(client.messages).toEqual([{ type: "error", code: "auth_failed", message: escaRates.catalog.errors[0]!.summary }]);
    expect(keeper.ws.readyState).toBe(keeper.ws.OPEN);
    keeper.ws.close();
  });

  it("evicts a client that stops reading, with bounded memory while it waits", async () => {
    running = await start({ codec: c2, policies: [slowConsumer({ maxStallMs: 200, checkEveryMs: 50, maxQueuedBytes: 4 * 1024 * 1024 })] });
    const slow = await raw(running.url);
    // Stop reading at the TCP level: the server's writes back up.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const connection = [...running.server.connections][0]!;
    const payload = { msg_type: "strategy.signal", payload: { blob: "x".repeat(64 * 1024) } };
    let peak = 0;
    const pump = setInterval(() => {
      if (!connection.isOpen) return;
      for (let i = 0; i < 16; i++) void connection.send(payload);
      peak = Math.max(peak, connection.queued);
    }, 5);
    await until(() => running!.server.connections.size === 0, "eviction", 5000);
    clearInterval(pump);
    // The bound holds on every send, not only at each check: at most the limit plus one message.
    expect(peak).toBeLessThanOrEqual(4 * 1024 * 1024 + 70 * 1024);
  });
});

describe("redaction", () => {
  it("removes keys from headers, bearer tokens and query strings", () => {
    expect(redact("GET /v1/realtime?api_key=sk_123&x=1")).toBe("GET /v1/realtime?api_key=[redacted]&x=1");
    expect(redact('{"authorization":"Bearer abc.def"}')).toBe('{"authorization":"Bearer [redacted]"}');
    expect(redact("x-api-key: k_99 failed", [])).toBe("x-api-key: [redacted] failed");
    expect(redact("key demo-key-123 failed", ["demo-key-123"])).toBe("key [redacted] failed");
  });
});
