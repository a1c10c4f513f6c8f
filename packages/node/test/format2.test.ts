import { WebSocketServer } from "ws";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { FloodError, MissingFieldError, murmur } from "../../../codegen/test/catalogs/generated/murmur";
import { connect, messageRate } from "../src/index";
import { raw, start, until, type Running } from "./helpers";

let running: Running | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await running?.close();
  running = undefined;
});

function open(url: string) {
  const client = connect(url, { codec: murmur, reconnect: false, requestTimeoutMs: 2000 });
  clients.push(client);
  return client;
}

describe("error replies without correlation (murmur: errorReplies uncorrelated)", () => {
  it("settles the oldest pending request of the reply's command; later ones still get their answers", async () => {
    running = await start({
      codec: murmur,
      onMessage: (message) => {
        const data = message.data as { text?: string };
        if (data.text === "") throw new MissingFieldError({ details: { field: "text" } });
        return { action: "send", nonce: message.requestId, ok: true };
      },
    });
    const client = open(running.url);
    const [first, second, third] = await Promise.allSettled([
      client.request({ action: "send", text: "" }),
      client.request({ action: "send", text: "hello" }),
      client.request({ action: "send", text: "" }),
    ]);
    expect(first.status === "rejected" && (first.reason as MissingFieldError)._tag).toBe("murmur/missing-field");
    expect(first.status === "rejected" && (first.reason as MissingFieldError).details).toEqual({ field: "text" });
    expect(second).toMatchObject({ status: "fulfilled", value: { ok: true } });
    expect(third.status === "rejected" && (third.reason as MissingFieldError)._tag).toBe("murmur/missing-field");
  });

  it("settles the oldest pending request of the connection when the reply names no command", async () => {
    // A bare server, as the API's own would be: its error frame names no command and no nonce.
    const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    wss.on("connection", (socket) => socket.on("message", () => socket.send(JSON.stringify({ event: "error", text: "internal error" }))));
    await new Promise((resolve) => wss.once("listening", resolve));
    try {
      const client = open(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
      const failure = await client.request({ action: "history" }).catch((e: unknown) => e as Error);
      expect((failure as { _tag?: string })._tag).toBe("murmur/fault");
    } finally {
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});

describe("a close that may follow an error frame (murmur: flood)", () => {
  it("is not sent by sendError; fail sends the frame then the close", async () => {
    running = await start({ codec: murmur, onMessage: () => undefined });
    const a = await raw(running.url);
    const b = await raw(running.url);
    await until(() => running!.server.connections.size === 2, "two connections");
    const [first, second] = [...running.server.connections];
    first!.sendError(new FloodError());
    second!.fail(new FloodError());
    await until(() => a.messages.length === 1 && b.messages.length === 1, "both frames");
    expect(a.messages[0]).toEqual({ event: "error", text: "flood detected, slow down" });
    expect(await b.closed).toEqual({ code: 4008, reason: "flood" });
    expect(a.ws.readyState).toBe(a.ws.OPEN);
    a.ws.close();
  });
});

describe("policies on a catalog told apart by message text (murmur)", () => {
  it("messageRate answers with the rate-limited entry's template filled with the wait, which the client reads as that entry", async () => {
    // Murmur's slow-down message is "rate limit: retry in {seconds} seconds", its delay that field.
    running = await start({
      codec: murmur,
      policies: [messageRate({ limit: 1, windowMs: 2_000, closeAfter: 100 })],
      onMessage: (m) => ({ action: "send", nonce: m.requestId, ok: true }),
    });
    const client = raw(running.url);
    const c = await client;
    c.ws.send(JSON.stringify({ action: "send", text: "a" }));
    c.ws.send(JSON.stringify({ action: "send", text: "b" }));
    await until(() => c.messages.length === 2, "two answers");
    const text = (c.messages[1] as { text: string }).text;
    expect(text).toMatch(/^rate limit: retry in \d+ seconds$/);
    const decoded = murmur.decodeFrame(c.messages[1]);
    expect(decoded?._tag).toBe("murmur/slow-down");
    expect(decoded?.details).toEqual({ seconds: Number(text.match(/\d+/)![0]) });
    // The sliding window's wait: at most two windows.
    const { seconds } = decoded!.details as { seconds: number };
    expect(seconds).toBeGreaterThanOrEqual(1);
    expect(seconds).toBeLessThanOrEqual(4);
    c.ws.close();
  });
});
