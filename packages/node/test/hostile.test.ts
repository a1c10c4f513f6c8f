import { connect as netConnect, type Socket } from "node:net";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { WebSocket } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { apiKey, attemptRate, forwardedFor, messageRate } from "../src/index";
import { raw, start, until, type Running } from "./helpers";

const c2 = collective2;
const esca = escaRates;
let running: Running | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await running?.close();
  running = undefined;
});

const status = (error: unknown) => (error as { status?: number }).status;
const UPGRADE = (key = "x", extra = "") =>
  `GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Api-Key: ${key}\r\n${extra}\r\n`;

/** Writes `head` on a raw socket from `localAddress` and resolves with everything the server answered before closing. */
function exchange(port: number, head: string, localAddress = "127.0.0.1"): Promise<string> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: "127.0.0.1", localAddress });
    sockets.push(socket);
    let text = "";
    socket.on("data", (d) => (text += d.toString()));
    socket.on("error", () => resolve(text));
    socket.on("close", () => resolve(text));
    socket.write(head);
  });
}

describe("attempt limits cannot lock users out", () => {
  it("counts attempts per client address: a flood of bad keys from one address leaves another address alone", async () => {
    running = await start({
      codec: esca,
      policies: [attemptRate({ per: "address", limit: 10 }), apiKey({ from: { header: "x-api-key" }, verify: (k) => k === "good" })],
    });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => exchange(running!.port, UPGRADE(`bad-${i}`), "127.0.0.1")));
    expect(answers.filter((a) => a.startsWith("HTTP/1.1 401")).length).toBe(10);
    expect(answers.filter((a) => a.startsWith("HTTP/1.1 429")).length).toBe(190);
    // The flooding address is refused; a valid key from another address connects at once.
    await expect(raw(running.url, { headers: { "x-api-key": "good" }, localAddress: "127.0.0.1" })).rejects.toMatchObject({ status: 429 });
    const other = await raw(running.url, { headers: { "x-api-key": "good" }, localAddress: "127.0.0.2" });
    other.ws.close();
  });

  it("counts per key only after authentication: bad keys never spend a valid key's budget", async () => {
    running = await start({
      codec: esca,
      policies: [apiKey({ from: { header: "x-api-key" }, verify: (k) => k === "good" }), attemptRate({ per: "key", limit: 3 })],
    });
    for (let i = 0; i < 50; i++) await expect(raw(running.url, { headers: { "x-api-key": "bad" } })).rejects.toMatchObject({ status: 401 });
    for (let i = 0; i < 3; i++) (await raw(running.url, { headers: { "x-api-key": "good" } })).ws.close();
    // The key's own fourth attempt in the window is the one refused.
    await expect(raw(running.url, { headers: { "x-api-key": "good" } })).rejects.toMatchObject({ status: 429 });
  });

  it("trusts a forwarded address only when told to, and then only the entry its own proxy wrote", async () => {
    const limited = [attemptRate({ per: "address", limit: 1 })];
    running = await start({ codec: esca, policies: limited });
    (await raw(running.url, { headers: { "x-forwarded-for": "198.51.100.1" } })).ws.close();
    // Without clientAddress, a forged header is not a new address.
    expect(status(await raw(running.url, { headers: { "x-forwarded-for": "198.51.100.2" } }).catch((e: unknown) => e))).toBe(429);
    await running.close();
    running = await start({ codec: esca, policies: [attemptRate({ per: "address", limit: 1 })], clientAddress: forwardedFor({ hops: 1 }) });
    (await raw(running.url, { headers: { "x-forwarded-for": "203.0.113.9, 198.51.100.1" } })).ws.close();
    // The client-written left part changes nothing; the proxy's entry (the last) is the address.
    expect(status(await raw(running.url, { headers: { "x-forwarded-for": "10.9.9.9, 198.51.100.1" } }).catch((e: unknown) => e))).toBe(429);
    (await raw(running.url, { headers: { "x-forwarded-for": "203.0.113.9, 198.51.100.2" } })).ws.close();
  });
});

describe("message floods", () => {
  it("counts malformed frames too, answers a few, then closes the flooder with the catalog's entry", async () => {
    running = await start({ codec: c2, policies: [messageRate({ limit: 5, windowMs: 10_000, closeAfter: 3 })], onMessage: () => ({ msg_type: "ok" }) });
    const flooder = await raw(running.url);
    for (let i = 0; i < 5_000; i++) flooder.ws.send("{not json");
    const closed = await flooder.closed;
    const codes = flooder.messages.map((m) => (m as { payload?: { code?: string } }).payload?.code);
    // Five malformed frames within the limit are answered as malformed, three over it as rate
    // limited, and the fourth violation is the abuse close: its frame, then its entry's close. That
    // entry has no close layer, so the close is its browser fallback, which decodes as the same
    // entry (a bare 1008 would read as Collective2's too-many-connections).
    expect(codes.filter((c) => c === "FRAGMENT")).toHaveLength(5);
    expect(codes.filter((c) => c === "TOO_MANY_REQUESTS")).toHaveLength(4);
    expect(flooder.messages.length).toBe(9);
    expect(closed).toEqual({ code: 4429, reason: "Rate limit exceeded" });
    expect(c2.decodeClose(closed)?._tag).toBe("collective2/too-many-requests");
    await until(() => running!.server.connections.size === 0, "the flooder's connection to end");
  });

  it("pauses a connection over its limit instead of dropping what it sends next", async () => {
    running = await start({
      codec: c2,
      policies: [messageRate({ limit: 2, windowMs: 300, closeAfter: 100 })],
      onMessage: (m) => ({ msg_type: "ok", request_id: m.requestId }),
    });
    const client = await raw(running.url);
    for (let i = 1; i <= 3; i++) client.ws.send(JSON.stringify({ msg_type: "x", request_id: `r${i}` }));
    await until(() => client.messages.length === 3, "three answers");
    expect(client.messages[2]).toMatchObject({ msg_type: "error", request_id: "r3", payload: { code: "TOO_MANY_REQUESTS" } });
    // Sent while paused: it waits in the socket and is handled once the window has room.
    client.ws.send(JSON.stringify({ msg_type: "x", request_id: "r4" }));
    await until(() => client.messages.length === 4, "the fourth answer", 3_000);
    expect(client.messages[3]).toEqual({ msg_type: "ok", request_id: "r4" });
    client.ws.close();
  });

  it("bounds replies queued for a client that does not read, and closes it with the catalog's slow-consumer close", async () => {
    running = await start({ codec: c2, maxQueuedBytes: 256 * 1024, onMessage: () => ({ msg_type: "ok", blob: "x".repeat(64 * 1024) }) });
    const reader = new WebSocket(running.url);
    await new Promise((r) => reader.once("open", r));
    (reader as unknown as { _socket: Socket })._socket.pause();
    await until(() => running!.server.connections.size === 1, "the connection");
    const connection = [...running.server.connections][0]!;
    const closes: { code: number; reason: string }[] = [];
    const close = connection.close.bind(connection);
    connection.close = (code, reason) => (closes.push({ code: code ?? 1000, reason: reason ?? "" }), close(code, reason));
    for (let i = 0; i < 400; i++) reader.send(JSON.stringify({ msg_type: "x" }));
    await until(() => running!.server.connections.size === 0, "the non-reader to be closed", 10_000);
    // Collective2's slow-consumer entry: close 1000 "Ping timeout".
    expect(closes[0]).toEqual({ code: 1000, reason: "Ping timeout" });
    expect(connection.queued).toBeLessThanOrEqual(256 * 1024 + 70 * 1024);
    reader.terminate();
  });
});

describe("handshake hardening", () => {
  it("answers a handshake that never completes with 408 and closes it within the timeout", async () => {
    running = await start({ codec: esca, handshake: { timeoutMs: 300 } });
    const started = Date.now();
    const answer = await exchange(running.port, "GET /ws HTTP/1.1\r\nHost: x\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("refuses handshakes past the per-address cap at once with the catalog's rate-limited answer", async () => {
    running = await start({ codec: esca, handshake: { timeoutMs: 5_000, maxPendingPerAddress: 3 } });
    const stalled = Array.from({ length: 3 }, () => exchange(running!.port, "GET /ws HTTP/1.1\r\n"));
    await new Promise((r) => setTimeout(r, 100));
    const refused = await exchange(running.port, "GET /ws HTTP/1.1\r\n");
    expect(refused).toMatch(/^HTTP\/1\.1 429 /);
    expect(refused).toContain('"code":"rate_limited"');
    // Another address is not affected by this one's stalled handshakes.
    (await raw(running.url, { localAddress: "127.0.0.2" })).ws.close();
    for (const s of sockets) s.destroy();
    await Promise.all(stalled);
  });

  it("leaves header size to Node's limit: an oversized head is answered 431", async () => {
    running = await start({ codec: esca });
    const answer = await exchange(running.port, UPGRADE("k", `X-Pad: ${"a".repeat(20_000)}\r\n`));
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
  });
});
