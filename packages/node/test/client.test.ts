import { createCodec, type WsError } from "@ws-errors/core";
import { collective2, TooManyRequestsError } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { EventEmitter, on, once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { apiKey, connect, withRetryAfter, WsErrorServer, type Decision, type ServerConnection, type WsErrorClient } from "../src/index";
import { sleep, start, until, type Running } from "./helpers";

const c2 = collective2;
const esca = escaRates;
let running: Running | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await running?.close();
  running = undefined;
});
function track<C extends { close(): void }>(client: C): C {
  clients.push(client);
  return client;
}
function record<E extends WsError>(client: WsErrorClient<E>) {
  const events: { errors: WsError[]; decisions: Decision[]; reconnecting: { attempt: number; delayMs: number }[] } = {
    errors: [],
    decisions: [],
    reconnecting: [],
  };
  client.on("catalog-error", (e: WsError) => events.errors.push(e));
  client.on("decision", (d: Decision) => events.decisions.push(d));
  client.on("reconnecting", (r: { attempt: number; delayMs: number }) => events.reconnecting.push(r));
  return events;
}

describe("what the catalog decides", () => {
  it("stops on a bad key: one attempt, never a reconnect loop", async () => {
    let attempts = 0;
    running = await start({
      codec: c2,
      policies: [{ name: "count", upgrade: () => void attempts++ }, apiKey({ from: { bearer: true }, verify: () => false })],
    });
    const client = track(connect(running.url, { codec: c2, ws: { headers: { authorization: "Bearer nope" } }, reconnect: { initialMs: 1, maxMs: 5 } }));
    const events = record(client);
    await until(() => client.state === "closed", "the stop");
    await sleep(50);
    expect(attempts).toBe(1);
    expect(events.errors[0]?.name).toBe("UnauthorizedError");
    expect(events.errors[0]?.layer).toBe("upgrade");
    expect(events.decisions[0]?.action).toBe("stop");
  });

  it("waits as Retry-After says before trying a rate-limited connection again", async () => {
    let attempts = 0;
    running = await start({
      codec: c2,
      policies: [
        {
          name: "limit",
          upgrade: () => {
            if (attempts++ === 0) throw withRetryAfter(new TooManyRequestsError(), 1);
          },
        },
      ],
    });
    const started = Date.now();
    const client = track(connect(running.url, { codec: c2, reconnect: { initialMs: 1, maxMs: 5 } }));
    const events = record(client);
    await new Promise((r) => client.once("open", r));
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(events.decisions[0]).toMatchObject({ action: "reconnect", delayMs: 1000 });
  });

  it("retries a command answered with retry-later, then resolves", async () => {
    let calls = 0;
    running = await start({
      codec: c2,
      commands: {
        "subscription.request": (m) => (++calls < 3 ? Promise.reject(new TooManyRequestsError()) : { msg_type: "subscription.ack", request_id: m.requestId }),
      },
    });
    const client = track(connect(running.url, { codec: c2, defaultRetryMs: 20 }));
    const events = record(client);
    await new Promise((r) => client.once("open", r));
    const ack = await client.request<{ msg_type: string; request_id: number }>({ msg_type: "subscription.request", payload: {} });
    expect(ack.msg_type).toBe("subscription.ack");
    expect(calls).toBe(3);
    expect(events.decisions.map((d) => d.action)).toEqual(["retry-later", "retry-later"]);
    expect(events.errors.every((e) => e.requestId === ack.request_id)).toBe(true);
  });

  it("rejects a request with the typed command-scope error that answers it", async () => {
    running = await start({
      codec: esca,
      commands: { subscribe: () => Promise.reject(new escaRates.classes["unknown-symbol"]!({ message: "Unsupported symbol XAU/USD" })) },
    });
    const client = track(connect(running.url, { codec: esca }));
    await new Promise((r) => client.once("open", r));
    const error = await client.request({ method: "subscribe", pairs: ["XAU/USD"] }).catch((e: unknown) => e as WsError);
    expect(error).toBeInstanceOf(escaRates.classes["unknown-symbol"]!);
    expect(error).toMatchObject({ message: "Unsupported symbol XAU/USD", command: "subscribe", requestId: 1 });
    expect(client.state).toBe("open");
  });

  it("reconnects with capped exponential backoff on an internal close, and resets it after a minimum uptime", async () => {
    let opened = 0;
    running = await start({
      codec: esca,
      onConnection: (c) => {
        opened++;
        if (opened <= 3) c.close(1011, "");
      },
    });
    const client = track(connect(running.url, { codec: esca, reconnect: { initialMs: 20, maxMs: 60, minUptimeMs: 10_000 } }));
    const events = record(client);
    await until(() => opened === 4, "four connections");
    expect(events.reconnecting.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(events.reconnecting.every((r, i) => r.delayMs <= Math.min(60, 20 * 2 ** i))).toBe(true);
    expect(events.errors.map((e) => e.kind)).toEqual(["internal", "internal", "internal"]);
  });

  it("resumes from the last sequence id and delivers every message once, in order", async () => {
    let connections = 0;
    running = await start({
      codec: c2,
      onConnection: (c) => {
        connections++;
        const from = connections === 1 ? 0 : 5;
        // The second connection replays 3..8: the client must drop 3..5, which it already has.
        const start = connections === 1 ? 1 : 3;
        void (async () => {
          for (let seq = start; seq <= (connections === 1 ? 5 : 8); seq++) await c.send({ msg_type: "strategy.signal", seq_id: seq, payload: { from } });
          if (connections === 1) c.socket.terminate(); // dropped mid-stream, no close frame: 1006
        })();
      },
    });
    const resumedFrom: unknown[] = [];
    const client = track(connect(running.url, { codec: c2, reconnect: { initialMs: 5, maxMs: 10 }, resume: (seq) => void resumedFrom.push(seq) }));
    const seen: number[] = [];
    client.on("message", (m) => seen.push((m as { seq_id: number }).seq_id));
    await until(() => seen.length >= 8, "eight messages");
    await sleep(30);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(resumedFrom).toEqual([5]);
  });

  it("treats Collective2's 1000 'Ping timeout' as an eviction to resume from, not a clean end", async () => {
    let connections = 0;
    running = await start({
      codec: c2,
      onConnection: (c) => {
        if (++connections === 1) c.close(1000, "Ping timeout");
      },
    });
    const client = track(connect(running.url, { codec: c2, reconnect: { initialMs: 5, maxMs: 10 }, resume: () => undefined }));
    const events = record(client);
    await until(() => connections === 2, "a second connection");
    expect(events.errors[0]?.name).toBe("PingTimeoutError");
    expect(events.decisions[0]?.action).toBe("resume");
  });

  it("lets the user override a decision", async () => {
    let attempts = 0;
    running = await start({
      codec: c2,
      policies: [{ name: "n", upgrade: () => void attempts++ }, apiKey({ from: { bearer: true }, verify: () => attempts > 2 })],
    });
    const client = track(
      connect(running.url, {
        codec: c2,
        ws: { headers: { authorization: "Bearer k" } },
        reconnect: { initialMs: 5, maxMs: 10 },
        decide: (error, proposed) => (error.kind === "unauthenticated" ? { ...proposed, action: "reconnect", delayMs: 5 } : undefined),
      }),
    );
    await new Promise((r) => client.once("open", r));
    expect(attempts).toBe(3);
  });

  it("reports a clean close with an error code as an error, and iterates messages until the end", async () => {
    running = await start({
      codec: tickdb,
      onConnection: (c) => void c.send({ cmd: "ticker", data: { symbol: "AAPL.US" } }).then(() => c.close(4004, "gone")),
    });
    const client = track(connect(running.url, { codec: tickdb, reconnect: false }));
    const events = record(client);
    const messages: unknown[] = [];
    for await (const message of client) messages.push(message);
    expect(messages).toEqual([{ cmd: "ticker", data: { symbol: "AAPL.US" } }]);
    expect(events.errors[0]).toMatchObject({ layer: "close", kind: "unknown", wire: { closeCode: 4004, closeReason: "gone" } });
  });
});

describe("the message event", () => {
  /* One script of listener changes, run against a plain EventEmitter's `emit` and against the
     client's delivery of real frames: the client calls its `message` listeners without `emit`
     (measured faster), and must behave exactly as `emit` does. */
  async function script(target: EventEmitter, send: (seq: number) => Promise<void>): Promise<string[]> {
    const log: string[] = [];
    type M = { seq_id: number };
    const a = (m: M) => {
      log.push(`a${m.seq_id}`);
      if (m.seq_id === 3) {
        target.on("message", d); // added while a message is dispatched: from the next one on
        target.off("message", e); // removed while dispatched: still called for this one
      }
    };
    const d = (m: M) => log.push(`d${m.seq_id}`);
    const e = (m: M) => log.push(`e${m.seq_id}`);
    target.on("message", a);
    target.prependListener("message", (m: M) => log.push(`b${m.seq_id}`));
    target.on("message", e);
    await send(1);
    target.once("message", (m: M) => log.push(`once${m.seq_id}`));
    await send(2);
    await send(3);
    await send(4);
    target.off("message", a);
    target.addListener("message", function (this: unknown, m: M) {
      log.push(`this-is-target:${this === target}:${m.seq_id}`);
    });
    await send(5);
    const iterator = on(target, "message");
    const next = iterator.next();
    await send(6);
    log.push(`iterated${((await next).value as [M])[0].seq_id}`);
    await iterator.return?.();
    log.push(`count${target.listenerCount("message")}`);
    target.removeAllListeners("message");
    await send(7);
    target.on("message", (m: M) => log.push(`f${m.seq_id}`));
    await send(8);
    target.removeAllListeners();
    await send(9);
    return log;
  }

  it("calls its listeners exactly as EventEmitter's emit would, through every way of adding and removing them", async () => {
    const plain = new EventEmitter();
    const expected = await script(plain, async (seq) => void plain.emit("message", { seq_id: seq }));
    let server: ServerConnection | undefined;
    running = await start({ codec: c2, onConnection: (c) => (server = c) });
    const client = track(connect(running.url, { codec: c2, reconnect: false }));
    await until(() => server !== undefined && client.state === "open", "the connection");
    const actual = await script(client as unknown as EventEmitter, async (seq) => {
      server?.socket.send(JSON.stringify({ msg_type: "strategy.signal", seq_id: seq }));
      await until(() => client.lastSequence === seq, `message ${seq}`);
    });
    expect(actual).toEqual(expected);
    expect(expected).toContain("d4");
    expect(expected).toContain("e3");
    expect(expected).not.toContain("e4");
  });

  it("with captureRejections on, a listener's rejected promise reaches the error event, as emit routes it", async () => {
    let server: ServerConnection | undefined;
    running = await start({ codec: c2, onConnection: (c) => (server = c) });
    EventEmitter.captureRejections = true;
    const client = (() => {
      try {
        return track(connect(running!.url, { codec: c2, reconnect: false }));
      } finally {
        EventEmitter.captureRejections = false;
      }
    })();
    const errors: unknown[] = [];
    client.on("error" as "message", (error: unknown) => errors.push(error));
    client.on("message", async () => {
      throw new Error("listener failed");
    });
    await until(() => server !== undefined && client.state === "open", "the connection");
    server?.socket.send(JSON.stringify({ msg_type: "strategy.signal", seq_id: 1 }));
    await until(() => errors.length === 1, "the rejection on the error event");
    expect((errors[0] as Error).message).toBe("listener failed");
  });
});

describe("messages that are not JSON", () => {
  it("delivers text that is not JSON as a string and binary frames as bytes, and stays connected", async () => {
    running = await start({
      codec: tickdb,
      onConnection: (c) => {
        c.socket.send("plain text, not JSON");
        c.socket.send(Buffer.from([1, 2, 3]), { binary: true });
        c.socket.send(JSON.stringify({ cmd: "ticker", data: { symbol: "AAPL.US" } }));
      },
    });
    const client = track(connect(running.url, { codec: tickdb, reconnect: false }));
    const messages: unknown[] = [];
    client.on("message", (m: unknown) => messages.push(m));
    await until(() => messages.length === 3, "three messages");
    expect(messages[0]).toBe("plain text, not JSON");
    expect(Buffer.isBuffer(messages[1]) && [...(messages[1] as Buffer)]).toEqual([1, 2, 3]);
    expect(messages[2]).toEqual({ cmd: "ticker", data: { symbol: "AAPL.US" } });
    expect(client.state).toBe("open");
  });
});

describe("first use, as the README shows it", () => {
  it("a request made right after connect() waits for the open and resolves (it threw `not connected`)", async () => {
    running = await start({ codec: esca, commands: { subscribe: (m) => ({ method: "subscribe", success: true, req_id: m.requestId }) } });
    const client = track(connect(running.url, { codec: esca }));
    await expect(client.request({ method: "subscribe", pairs: ["EUR/USD"] })).resolves.toMatchObject({ method: "subscribe", success: true });
  });

  it("a reply without the request id times out with a message that says what an answer carries (it said only 'no answer to 1')", async () => {
    // A reply given as text is sent as it is: this one leaves out the id, and names another method.
    running = await start({ codec: esca, commands: { subscribe: () => '{"method":"subscribed","success":true}' } });
    const client = track(connect(running.url, { codec: esca, requestTimeoutMs: 300 }));
    await expect(client.request({ method: "subscribe", pairs: ["EUR/USD"] })).rejects.toMatchObject({
      reason: "timeout",
      message: "no answer to 1 within 300 ms (an answer carries req_id 1)",
    });
  });

  it("a request made before the open still times out if the connection never opens, and is refused once the client is closed", async () => {
    const client = track(connect("ws://127.0.0.1:9/ws", { codec: esca, requestTimeoutMs: 300, reconnect: { initialMs: 50, maxMs: 50 } }));
    await expect(client.request({ method: "subscribe" })).rejects.toMatchObject({ reason: "timeout" });
    client.close();
    await expect(client.request({ method: "subscribe" })).rejects.toMatchObject({ reason: "closed" });
  });
});

describe("a clean close after an error frame", () => {
  it.each([1000, 1001])("is decided as that error's close: Esca's internal_error frame, then %i, reconnects (1000 hung)", async (code) => {
    let connections = 0;
    running = await start({
      codec: esca,
      onConnection: (c) => {
        if (++connections > 1) return;
        c.sendError(new escaRates.classes["internal-error"]!());
        c.close(code, "");
      },
    });
    const client = track(connect(running.url, { codec: esca, reconnect: { initialMs: 5, maxMs: 10 } }));
    const events = record(client);
    await until(() => connections === 2, "the reconnect");
    // A going-away close (1001) after the frame is that error too, not the generic "going away".
    expect(events.decisions.map((d) => [d.action, d.error.layer, d.error.id])).toEqual([
      ["none", "frame", "internal-error"],
      ["reconnect", "close", "internal-error"],
    ]);
  });
});

describe("a bare close right after an error frame that answered a request", () => {
  it("is decided as that error's close, not as an uncatalogued 1008 (a server failing the connection for the error it answered with)", async () => {
    running = await start({
      codec: esca,
      commands: {
        subscribe: (message, connection) => {
          connection.sendError(new escaRates.classes["unknown-symbol"]!(), { requestId: message.requestId });
          connection.close(1008, "");
          return undefined;
        },
      },
    });
    const client = track(connect(running.url, { codec: esca, reconnect: false }));
    const events = record(client);
    await expect(client.request({ method: "subscribe" })).rejects.toMatchObject({ id: "unknown-symbol", layer: "frame" });
    await once(client, "stopped");
    expect(events.decisions.map((d) => [d.error.layer, d.error.id])).toEqual([
      ["frame", "unknown-symbol"],
      ["close", "unknown-symbol"],
    ]);
  });
});

describe("a server going away", () => {
  it("a rolling restart: the instance closes its connections (1001), the client comes back to the one that replaced it, resuming its stream (it stopped for good)", async () => {
    // One address, two instances in turn, as behind a load balancer during a deploy.
    const instances = [new WsErrorServer({ codec: c2 }), new WsErrorServer({ codec: c2 })];
    let current = 0;
    const http = createServer();
    http.on("upgrade", (request, socket, head) => void instances[current]!.handleUpgrade(request, socket, head));
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    try {
      const client = track(connect(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/`, { codec: c2, reconnect: { initialMs: 5, maxMs: 20 } }));
      const events = record(client);
      await once(client, "open");
      current = 1;
      await instances[0]!.close();
      await once(client, "open");
      expect(instances[1]!.connections.size).toBe(1);
      // Collective2's stream has sequence ids: the client resumes from the last one it saw.
      expect(events.errors.map((e) => [e.layer, e.kind, e.message, e.retry.directive])).toEqual([
        ["close", "service-unavailable", "Server shutting down", "resume"],
      ]);
      expect(events.decisions.map((d) => d.action)).toEqual(["resume"]);
    } finally {
      await instances[1]!.close();
      http.close();
    }
  });

  it("stops where the catalog's close fallback for 1001 says so; 1000 stays a clean end", () => {
    const stopping = createCodec({
      ...c2.catalog,
      dialect: {
        ...c2.catalog.dialect,
        fallbacks: [
          ...c2.catalog.dialect.fallbacks,
          { layer: "close", codes: [1001], kind: "cancelled", retry: { directive: "stop" }, summary: "Gone for good" },
        ],
      },
    });
    expect(stopping.decodeClose({ code: 1001, reason: "" })).toMatchObject({ kind: "cancelled", retry: { directive: "stop" }, message: "Gone for good" });
    expect(c2.decodeClose({ code: 1000, reason: "" })).toBeNull();
  });
});

describe("a URL asked for before every attempt", () => {
  it("connects to what the provider answers each time, and a provider that fails is a failed attempt, retried", async () => {
    const paths: string[] = [];
    running = await start({
      codec: c2,
      onConnection: (c) => {
        paths.push(new URL(c.request.url ?? "/", "http://x").search);
        // The first connection is closed as the server restarts: the client asks for a new URL.
        if (paths.length === 1) c.close(1012, "");
      },
    });
    const asked: number[] = [];
    const failures: unknown[] = [];
    const client = track(
      connect(
        async (attempt) => {
          asked.push(attempt);
          if (asked.length === 2) throw new Error("the token endpoint is down");
          return `${running!.url}?socket=${asked.length}`;
        },
        { codec: c2, reconnect: { initialMs: 1, maxMs: 5 } },
      ),
    );
    client.on("hook-error", (error) => failures.push(error));
    const opened: string[] = [];
    client.on("open", (url) => opened.push(url));
    // The server sees the connection before the client's open event: wait for both.
    await until(() => paths.length === 2 && opened.length === 2, "the second connection, open on both ends");
    expect(paths).toEqual(["?socket=1", "?socket=3"]);
    expect(asked).toEqual([0, 1, 2]);
    expect(opened).toEqual([`${running.url}?socket=1`, `${running.url}?socket=3`]);
    expect(String(failures[0])).toContain("the token endpoint is down");
  });
});

describe("a script awaiting a request", () => {
  it("stays alive while the client reconnects, and exits 0 with the answer", async () => {
    const { spawn } = await import("node:child_process");
    const { createServer: createNet } = await import("node:net");
    // A free port, closed again: the client's first attempts find nothing there.
    const probe = createNet().listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const child = spawn(
      process.execPath,
      ["--conditions=ws-errors-source", "--import", "tsx", new URL("./fixtures/await-request.ts", import.meta.url).pathname, String(port)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const exited = once(child, "exit") as Promise<[number | null]>;
    try {
      await sleep(1_500);
      const http = createServer();
      running = undefined;
      const server = new WsErrorServer({ codec: c2, server: http, path: "/ws", commands: { subscribe: () => ({ msg_type: "subscribed" }) } });
      await new Promise<void>((resolve) => http.listen(port, "127.0.0.1", resolve));
      const [code] = await exited;
      await server.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
      expect({ code, out: out.trim() }).toMatchObject({ code: 0, out: expect.stringContaining('"msg_type":"subscribed"') });
    } finally {
      child.kill();
    }
  }, 20_000);
});

describe("a request pending when the session ends", () => {
  it("rejects with the typed catalog error that ended it, carrying the request's id", async () => {
    const { UnauthorizedError } = await import("@ws-errors/core/catalogs/collective2");
    // The key is revoked while a request waits: the server ends the connection for it.
    running = await start({ codec: c2, commands: { subscribe: (_m, connection) => void connection.fail(new UnauthorizedError()) } });
    const client = track(connect(running.url, { codec: c2, reconnect: false }));
    const failure = await client.request({ msg_type: "subscribe", channel: "prices", request_id: "r-1" }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnauthorizedError);
    expect(failure).toMatchObject({ _tag: "collective2/unauthorized", layer: "close", requestId: "r-1", retry: { directive: "stop" } });
  });
});
