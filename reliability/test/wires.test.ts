import type { Codec, WsError } from "@ws-errors/core";
import type { ServerConnection } from "@ws-errors/node";
import { afterEach, describe, expect, it } from "vitest";
import { courier } from "../../codegen/test/catalogs/generated/courier";
import { ledger } from "../../codegen/test/catalogs/generated/ledger";
import { relay, TokenExpiredError, UnmatchedTopicError } from "../../codegen/test/catalogs/generated/relay";
import { AccessRefusedError, NoDestinationError, OverQuotaError, semaphore } from "../../codegen/test/catalogs/generated/semaphore";
import { sluice } from "../../codegen/test/catalogs/generated/sluice";
import { MovedError, switchboard } from "../../codegen/test/catalogs/generated/switchboard";
import { FACADES, scripted, served, type Client, type Scripted } from "./wires/scripted";

/*
 * Wires real APIs use, end to end: a plain `ws` server writes them by hand, as another
 * implementation would, and both client facades decode them and act on them. Each uses its own
 * test catalog (codegen/test/catalogs); the decoding alone is tested in codegen/test/wires.test.ts.
 */

let server: Pick<Scripted, "url" | "close"> | undefined;
const extra: Pick<Scripted, "close">[] = [];
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
  for (const other of extra.splice(0)) await other.close();
});

describe.each(Object.keys(FACADES))("through the %s facade", (facade) => {
  const open = (...args: Parameters<(typeof FACADES)[string]>) => {
    const client = (FACADES[facade] as (typeof FACADES)[string])(...args);
    clients.push(client);
    return client;
  };

  it("a request answered with a code the catalog does not list is retried as its status and error type say (ledger)", async () => {
    let answered = 0;
    server = await scripted({
      message(message, socket) {
        const reply =
          ++answered < 3
            ? { type: "error", status: 429, event_id: message.event_id, error: { type: "rate_limit_error", code: "events_burst", message: "slow down" } }
            : { type: "event.created", event_id: message.event_id };
        socket.send(JSON.stringify(reply));
      },
    });
    const client = open(server.url, ledger as unknown as Codec<WsError>);
    await expect(client.request({ type: "event.create" })).resolves.toMatchObject({ type: "event.created" });
    expect(answered).toBe(3);
    expect(client.errors.map((e) => [e._tag, e.code, e.kind])).toEqual([
      ["ledger/uncatalogued", "events_burst", "rate-limited"],
      ["ledger/uncatalogued", "events_burst", "rate-limited"],
    ]);
    expect(client.decisions.map((d) => [d.action, d.delayMs])).toEqual([
      ["retry-later", 50],
      ["retry-later", 50],
    ]);
  });

  it("a server of a catalog that answers bad input by closing closes as it says, and the client stops or reconnects as the entry says (sluice)", async () => {
    server = await served({
      codec: sluice as unknown as Codec<WsError>,
      commands: {
        subscribe: () => {
          throw new Error("the feed's store is down");
        },
      },
    });
    const codec = sluice as unknown as Codec<WsError>;
    const malformed = open(server.url, codec);
    malformed.send("{not json");
    await malformed.stopped;
    expect(malformed.errors.map((e) => [e.layer, e.id, e.code])).toEqual([["close", "bad-message", 4002]]);
    expect(malformed.decisions.map((d) => d.action)).toEqual(["stop"]);

    const unknown = open(server.url, codec);
    await expect(unknown.request({ action: "explode" })).rejects.toMatchObject({ id: "unknown-action" });
    await unknown.stopped;
    expect(unknown.errors.map((e) => [e.layer, e.id])).toEqual([["close", "unknown-action"]]);

    // A fault closes with 1011, which its entry says to come back after.
    const faulty = open(server.url, codec, { reconnect: { initialMs: 5, maxMs: 10 }, requestTimeoutMs: 300 });
    await expect(faulty.request({ action: "subscribe", symbol: "X" })).rejects.toBeDefined();
    expect(faulty.errors[0]).toMatchObject({ layer: "close", id: "fault", code: 1011 });
    expect(faulty.decisions[0]?.action).toBe("reconnect");
  });

  it("a channel protocol framed as JSON arrays: requests, replies, errors and a crashed channel, written by WsErrorServer (relay)", async () => {
    let connections = 0;
    server = await served({
      codec: relay as unknown as Codec<WsError>,
      onConnection: () => void connections++,
      commands: {
        join: (message) => {
          const [joinRef, , topic] = message.data as [string | null, unknown, string];
          if (topic !== "room:lobby") throw new UnmatchedTopicError();
          return [joinRef, message.requestId, topic, "reply", { status: "ok", response: {} }];
        },
        crash: (_message, connection) => {
          connection.send([null, null, "room:lobby", "channel_error", {}]);
          return undefined;
        },
      },
    });
    const client = open(server.url, relay as unknown as Codec<WsError>, { reconnect: { initialMs: 5, maxMs: 10 } });
    const joined = (await client.request(["1", null, "room:lobby", "join", {}])) as unknown[];
    expect(joined.slice(2)).toEqual(["room:lobby", "reply", { status: "ok", response: {} }]);
    expect(typeof joined[1]).toBe("number");
    const refused = client.request(["2", null, "room:nowhere", "join", {}]);
    await expect(refused).rejects.toMatchObject({ id: "unmatched-topic", layer: "frame" });
    await expect(refused).rejects.toHaveProperty("requestId");
    // A crashed channel: the event alone says what it is (a fallback keyed by it); the socket stays.
    client.request(["3", null, "room:lobby", "crash", {}]).catch(() => undefined);
    await until(() => client.errors.some((e) => e.kind === "channel-unavailable"), "the crashed channel");
    expect(client.errors.at(-1)).toMatchObject({ _tag: "relay/uncatalogued", code: "", layer: "frame", retry: { directive: "resubscribe" } });
    await expect(client.request(["4", null, "room:lobby", "join", {}])).resolves.toBeDefined();
    expect(connections).toBe(1);
  });

  it("a crashed channel is joined again and an expiring token replaced on the same socket; a reconnect joins again too (relay)", async () => {
    const joins: string[] = [];
    const tokens: unknown[] = [];
    const sockets: ServerConnection[] = [];
    server = await served({
      codec: relay as unknown as Codec<WsError>,
      onConnection: (connection) => void sockets.push(connection),
      commands: {
        join: (message) => {
          const [joinRef, , topic] = message.data as [string | null, unknown, string];
          joins.push(topic);
          return [joinRef, message.requestId, topic, "reply", { status: "ok", response: {} }];
        },
        crash: (_message, connection) => void connection.send([null, null, "room:lobby", "channel_error", {}]),
        expire: (_message, connection) => void connection.sendError(new TokenExpiredError()),
        access_token: (message) => void tokens.push((message.data as unknown[])[4]),
      },
    });
    const client = open(server.url, relay as unknown as Codec<WsError>, {
      reconnect: { initialMs: 5, maxMs: 10 },
      reauthenticate: (_error, c) => c.send(JSON.stringify([null, null, "relay", "access_token", { token: "fresh" }])),
      resubscribe: async (_event, c) => void (await c.request(["1", null, "room:lobby", "join", {}])),
    });
    await client.request(["1", null, "room:lobby", "join", {}]);
    client.send(JSON.stringify([null, null, "room:lobby", "crash", {}]));
    await until(() => joins.length === 2, "the join after the crashed channel");
    client.send(JSON.stringify([null, null, "relay", "expire", {}]));
    await until(() => tokens.length === 1, "the fresh token");
    expect(tokens).toEqual([{ token: "fresh" }]);
    expect(sockets.length).toBe(1);
    expect(client.decisions.map((d) => d.action)).toEqual(["resubscribe", "reauthenticate"]);
    // A new connection has none of the old one's channels: the hook joins again after the reconnect.
    sockets[0]?.close(1011, "");
    await until(() => joins.length === 3, "the join after the reconnect");
    expect(sockets.length).toBe(2);
  });

  it("a server that names the node to continue on: the client opens it before it leaves the old one, and misses nothing (switchboard)", async () => {
    const closes: number[] = [];
    const order: string[] = [];
    const next = await served({
      codec: switchboard as unknown as Codec<WsError>,
      onConnection: (connection) => {
        order.push("new node connected");
        connection.send({ type: "event", from: "b", n: 0 });
      },
    });
    extra.push(next);
    let n = 0;
    server = await served({
      codec: switchboard as unknown as Codec<WsError>,
      onConnection: (connection) => {
        connection.sendError(new MovedError({ details: { reconnect_url: next.url } }));
        for (let i = 0; i < 3; i++) connection.send({ type: "event", from: "a", n: ++n });
        // The old node goes on sending until the client leaves it: none of it may be lost.
        const timer = setInterval(() => void connection.send({ type: "event", from: "a", n: ++n }), 2);
        connection.socket.once("close", (code: number) => {
          clearInterval(timer);
          order.push("old node left");
          closes.push(code);
        });
      },
    });
    const client = open(server.url, switchboard as unknown as Codec<WsError>, { reconnect: { initialMs: 5, maxMs: 10 } });
    await until(() => client.messages.some((m) => (m as { from?: string }).from === "b"), "the first message from the new node");
    await until(() => closes.length === 1, "the old connection's close");
    expect(closes).toEqual([1000]);
    expect(order).toEqual(["new node connected", "old node left"]);
    expect(client.decisions).toMatchObject([{ action: "reconnect", url: next.url }]);
    const fromOld = client.messages.filter((m) => (m as { from?: string }).from === "a").map((m) => (m as { n: number }).n);
    // In order and without a gap, up to the switch.
    expect(fromOld.length).toBeGreaterThanOrEqual(3);
    expect(fromOld).toEqual(fromOld.map((_, i) => i + 1));
  });

  it.each([1008, 1011, 4000, 1000])(
    "an error the server closes after with an undocumented code is that error's close, whatever the code: %i (courier)",
    async (code) => {
      server = await scripted({
        open(socket) {
          socket.send(JSON.stringify({ event: "error", code: "AUTH_FAILED", message: "token refused" }));
          socket.close(code, code === 1008 ? "policy violation" : "");
        },
      });
      const client = open(server.url, courier as unknown as Codec<WsError>, { reconnect: { initialMs: 5, maxMs: 10 } });
      await client.stopped;
      expect(client.errors.map((e) => [e.layer, e.id, e.wire?.closeCode])).toEqual([
        ["frame", "auth-failed", undefined],
        ["close", "auth-failed", code],
      ]);
      // Its directive, refresh-credentials, stops a client that has no way to refresh.
      expect(client.decisions.map((d) => d.action)).toEqual(["none", "stop"]);
    },
  );

  it("a broker whose frames are a text protocol (command, headers, body, NUL): receipts, errors, a retry, bad input and a close after an error (semaphore)", async () => {
    let sends = 0;
    const seen: string[] = [];
    server = await served({
      codec: semaphore as unknown as Codec<WsError>,
      onConnection: (connection) => {
        connection.socket.on("message", (data) => void seen.push(String(data)));
      },
      commands: {
        SUBSCRIBE: (message) => {
          const { headers } = message.data as { headers: Record<string, string> };
          if (headers.destination !== "/queue/a") throw new NoDestinationError();
          return { command: "RECEIPT", headers: {} };
        },
        SEND: () => {
          if (++sends === 1) throw new OverQuotaError({ details: { retry_after: 0 } });
          return { command: "RECEIPT", headers: {} };
        },
        CONNECT: () => {
          throw new AccessRefusedError();
        },
      },
    });
    const codec = semaphore as unknown as Codec<WsError>;
    const client = open(server.url, codec);
    const receipt = (await client.request({ command: "SUBSCRIBE", headers: { destination: "/queue/a", id: "0" } })) as {
      command: string;
      headers: Record<string, string>;
    };
    // The id comes back under another header than it went out in (requests.replyId).
    expect(receipt).toEqual({ command: "RECEIPT", headers: { "receipt-id": "1" }, body: "" });
    // What went out is the grammar's text, not JSON.
    expect(seen[0]).toBe("SUBSCRIBE\ndestination:/queue/a\nid:0\nreceipt:1\n\n\0");
    await expect(client.request({ command: "SUBSCRIBE", headers: { destination: "/queue/b" } })).rejects.toMatchObject({
      id: "no-destination",
      requestId: "2",
    });
    await expect(client.request({ command: "SEND", headers: { destination: "/queue/a" }, body: "hi" })).resolves.toMatchObject({ command: "RECEIPT" });
    expect(sends).toBe(2);
    client.send("this is not a frame");
    await until(() => client.errors.some((e) => e.id === "malformed"), "the malformed answer");
    await expect(client.request({ command: "CONNECT", headers: { passcode: "wrong" } })).rejects.toMatchObject({ id: "access-refused" });
    await client.stopped;
    expect(client.errors.at(-1)).toMatchObject({ id: "access-refused", layer: "close" });
  });
});

async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
