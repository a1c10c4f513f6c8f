import { collective2, UnauthorizedError } from "@ws-errors/core/catalogs/collective2";
import { DepthUnavailableError, tickdb } from "@ws-errors/core/catalogs/tickdb";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import type { AddressInfo } from "node:net";
import { RateLimitedError, type WsError } from "@ws-errors/core";
import { FAST_TIMING, REAL_TIMING, STRATEGY_ID, startDemoServers, type DemoServers } from "@ws-errors/demo-server";
import { catchError, filter, firstValueFrom, lastValueFrom, of, share, take, takeUntil, timer, toArray } from "rxjs";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ofType, retryByCatalog, wsErrorsConnection, type WebSocketLike } from "../src/index";

let demo: DemoServers;
beforeAll(async () => {
  demo = await startDemoServers({
    port: 0,
    timing: { ...REAL_TIMING, signalEveryMs: 5, tickEveryMs: 20, recheckMs: FAST_TIMING.recheckMs, revokeAfterMs: 300 },
  });
});
afterAll(() => demo.close());

const withHeaders = (headers: Record<string, string>) => (url: string) => new WebSocket(url, { headers }) as unknown as WebSocketLike;
const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

describe("wsErrorsConnection in Node (ws)", () => {
  it("multicasts messages$ to every subscriber, and one that leaves mid-emission leaves only itself", async () => {
    const connection = wsErrorsConnection(`${demo.url}/tickdb/v1/realtime?api_key=demo-key`, {
      codec: tickdb,
      reconnect: false,
      createSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    });
    const seen = { first: 0, second: 0, third: 0 };
    const first = connection.messages$.subscribe(() => {
      seen.first++;
      first.unsubscribe();
    });
    const second = connection.messages$.subscribe(() => seen.second++);
    await firstValueFrom(connection.request({ cmd: "subscribe", data: { channel: "ticker", symbols: ["AAPL.US"] } }));
    const third = await firstValueFrom(connection.messages$.pipe(take(3), toArray()));
    seen.third = third.length;
    expect(seen.first).toBe(1);
    expect(seen.second).toBeGreaterThanOrEqual(3);
    expect(seen.third).toBe(3);
    second.unsubscribe();
  });

  it("listens to a ws socket's own message event (no MessageEvent per message) and leaves no listener behind", async () => {
    const sockets: WebSocket[] = [];
    const connection = wsErrorsConnection(`${demo.url}/tickdb/v1/realtime?api_key=demo-key`, {
      codec: tickdb,
      reconnect: false,
      createSocket: (url) => (sockets.push(new WebSocket(url)), sockets.at(-1) as unknown as WebSocketLike),
    });
    const sub = connection.messages$.subscribe();
    await firstValueFrom(connection.request({ cmd: "subscribe", data: { channel: "ticker", symbols: ["AAPL.US"] } }));
    const ticks = await firstValueFrom(connection.messages$.pipe(take(2), toArray()));
    expect(ticks).toHaveLength(2);
    const socket = sockets[0]!;
    expect(socket.listenerCount("message")).toBe(1);
    expect(socket.onmessage).toBeNull();
    sub.unsubscribe();
    await new Promise((r) => setTimeout(r, 50));
    expect(socket.listenerCount("message")).toBe(0);
  });

  it("shares one socket between subscribers, opens on the first and closes after the last", async () => {
    let sockets = 0;
    const connection = wsErrorsConnection(`${demo.url}/tickdb/v1/realtime?api_key=demo-key`, {
      codec: tickdb,
      createSocket: (url) => (sockets++, new WebSocket(url) as unknown as WebSocketLike),
    });
    expect(sockets).toBe(0);
    const before = timeouts();
    const a = connection.messages$.subscribe();
    const b = connection.errors$.subscribe();
    const states: string[] = [];
    const c = connection.state$.subscribe((s) => states.push(s.status));
    await firstValueFrom(connection.request({ cmd: "subscribe", data: { channel: "ticker", symbols: ["AAPL.US"] } }));
    const ticks = await firstValueFrom(connection.messages$.pipe(take(3), toArray()));
    expect(ticks.map((t) => (t as { data: { symbol: string } }).data.symbol)).toEqual(["AAPL.US", "AAPL.US", "AAPL.US"]);
    expect(sockets).toBe(1);
    a.unsubscribe();
    b.unsubscribe();
    c.unsubscribe();
    expect(states).toEqual(["connecting", "open", "idle"].slice(0, states.length));
    await new Promise((r) => setTimeout(r, 50));
    expect(demo.endpoints.find((e) => e.name === "TickDB")!.server.connections.size).toBe(0);
    expect(timeouts()).toBeLessThanOrEqual(before);
    // A new subscriber opens a new socket.
    await firstValueFrom(connection.request({ cmd: "ping" }));
    expect(sockets).toBe(2);
  });

  it("asks a URL provider before every attempt: one that fails is retried with backoff, then the URL it answers is used", async () => {
    const asked: number[] = [];
    const connection = wsErrorsConnection(
      async (attempt) => {
        asked.push(attempt);
        if (attempt === 0) throw new Error("the token endpoint is down");
        return `${demo.url}/tickdb/v1/realtime?api_key=demo-key`;
      },
      { codec: tickdb, createSocket: withHeaders({}), reconnect: { initialMs: 1, maxMs: 5 } },
    );
    const ok = await firstValueFrom(connection.request<{ code: number }>({ cmd: "ping" }));
    expect(ok.code).toBe(0);
    expect(asked).toEqual([0, 1]);
  });

  it("errors a request with the typed command-scope error that answers it, and keeps the connection", async () => {
    const connection = wsErrorsConnection(`${demo.url}/tickdb/v1/realtime?api_key=demo-key`, { codec: tickdb, createSocket: withHeaders({}) });
    const keep = connection.state$.subscribe();
    const error = await firstValueFrom(
      connection.request({ cmd: "subscribe", data: { channel: "depth", symbols: ["AAPL.US"] } }).pipe(catchError((e: unknown) => of(e))),
    );
    expect(error).toBeInstanceOf(DepthUnavailableError);
    expect((error as WsError).command).toBe("subscribe");
    const ok = await firstValueFrom(connection.request<{ code: number }>({ cmd: "ping" }));
    expect(ok.code).toBe(0);
    keep.unsubscribe();
  });

  it("reports a rejected upgrade as a typed error, then messages$ errors instead of completing, and no reconnect loop", async () => {
    let sockets = 0;
    const connection = wsErrorsConnection(`${demo.url}/collective2/ws`, {
      codec: collective2,
      createSocket: (url) => (sockets++, withHeaders({ authorization: "Bearer INVALID_KEY" })(url)),
    });
    const errors = lastValueFrom(connection.errors$.pipe(toArray()));
    const failure = await lastValueFrom(connection.messages$).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UnauthorizedError);
    expect((await errors).map((e) => [e.name, e.layer, e.wire?.status])).toEqual([["UnauthorizedError", "upgrade", 401]]);
    expect(sockets).toBe(1);
  });

  it("turns a close with an error code into an error on errors$ (never a silent completion), then reconnects as the catalog says", async () => {
    const connection = wsErrorsConnection(`${demo.url}/esca/v1/rates`, {
      codec: escaRates,
      createSocket: withHeaders({ "x-api-key": "revoked-key" }),
      reconnect: { initialMs: 10, maxMs: 20, maxAttempts: 1 },
      refreshCredentials: async () => ({ url: `${demo.url}/esca/v1/rates` }),
    });
    const decisions = lastValueFrom(connection.decisions$.pipe(toArray()));
    const errors = await lastValueFrom(connection.errors$.pipe(toArray()));
    expect(errors.map((e) => [e.name, e.layer])).toEqual(expect.arrayContaining([["AuthFailedError", "close"]]));
    expect((await decisions).map((d) => d.action)).toContain("refresh-credentials");
  });

  it("resumes from the last sequence id: every signal once and in order across dropped connections", async () => {
    const endpoint = demo.endpoints.find((e) => e.name === "Collective2")!;
    const subscribe = (resumeFrom?: number) => ({
      msg_type: "subscription.request",
      timestamp: new Date().toISOString(),
      payload: {
        action: "subscribe",
        channel: "strategy.signal",
        strategy_id: STRATEGY_ID,
        ...(resumeFrom !== undefined && { resume_from: String(resumeFrom) }),
      },
    });
    const connection = wsErrorsConnection(`${demo.url}/collective2/ws`, {
      codec: collective2,
      createSocket: withHeaders({ authorization: "Bearer demo-key" }),
      reconnect: { initialMs: 5, maxMs: 10 },
      resume: (seq, c) => c.send(subscribe(Number(seq))),
    });
    const stream = connection.messages$.pipe(share());
    const collected = lastValueFrom(stream.pipe(takeUntil(timer(1500)), toArray()));
    await firstValueFrom(connection.request(subscribe()));
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 250));
      for (const c of endpoint.server.connections) c.socket.terminate();
    }
    const seqs = (await collected).filter((m) => (m as { msg_type: string }).msg_type === "strategy.signal").map((m) => (m as { seq_id: number }).seq_id);
    expect(seqs.length).toBeGreaterThan(100);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe((seqs[i - 1] as number) + 1);
  });

  it("says clearly when the runtime has no WebSocket and none was given", async () => {
    const connection = wsErrorsConnection("ws://127.0.0.1:1/", { codec: tickdb });
    await expect(firstValueFrom(connection.messages$)).rejects.toThrow(/no WebSocket in this runtime: pass createSocket/);
  });

  it("ofType narrows errors from several vendors to one kind", async () => {
    const connection = wsErrorsConnection(`${demo.url}/infoway/ws?apiKey=demo-key`, {
      codec: (await import("@ws-errors/core/catalogs/infoway")).infoway,
      createSocket: withHeaders({}),
    });
    const rateLimited = firstValueFrom(connection.errors$.pipe(ofType(RateLimitedError)));
    const keep = connection.messages$.subscribe();
    await firstValueFrom(connection.state$.pipe(filter((s) => s.status === "open")));
    for (let i = 0; i < 12; i++) connection.send({ action: "subscribe", trace: `t${i}`, data: { codes: ["AAPL.US"] } });
    const error = await rateLimited;
    expect(error.kind).toBe("rate-limited");
    expect(error.code).toBe(429);
    keep.unsubscribe();
  });
});

describe("one retry owner", () => {
  it("request().pipe(retryByCatalog()) as the README shows: a retry-later answer reaches the server 1 + 3 times, not 16", async () => {
    const { createServer } = await import("node:http");
    const { WsErrorServer } = await import("@ws-errors/node");
    const { TooManyRequestsError } = await import("@ws-errors/core/catalogs/collective2");
    const http = createServer();
    let received = 0;
    const server = new WsErrorServer({
      codec: collective2,
      server: http,
      onMessage: () => {
        received++;
        throw new TooManyRequestsError();
      },
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    const connection = wsErrorsConnection(url, { codec: collective2, createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike, defaultRetryMs: 5 });
    const outcome = await lastValueFrom(
      connection.request({ msg_type: "subscription.request" }).pipe(
        retryByCatalog({ defaultRetryMs: 5 }),
        catchError((e: unknown) => of(e)),
      ),
    );
    expect(outcome).toBeInstanceOf(TooManyRequestsError);
    expect(received).toBe(4);
    await server.close();
    http.close();
  });
});
