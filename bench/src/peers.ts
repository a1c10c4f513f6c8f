import { createServer as createNetServer } from "node:net";
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { connect } from "@ws-errors/node";
import { wsErrorsConnection, type WebSocketLike } from "@ws-errors/rxjs";
import { WebSocket as PartySocket } from "partysocket";
import ReconnectingWebSocket from "reconnecting-websocket";
import { WebSocket } from "ws";
import { rawThroughput, startStreamServer, STREAM_MESSAGES, streamTimer } from "./raw-client";
import { median, pairedFigure, type Figure } from "./stats";

const PEER = fileURLToPath(new URL("./peer.ts", import.meta.url));
const ROUNDS = 5;
/* The same backoff for every client: first retry after 100 ms, doubling, at most 1 s. */
const BACKOFF = { initialMs: 100, maxMs: 1_000, factor: 2 };
const RWS_OPTIONS = {
  WebSocket,
  minReconnectionDelay: BACKOFF.initialMs,
  maxReconnectionDelay: BACKOFF.maxMs,
  reconnectionDelayGrowFactor: BACKOFF.factor,
  minUptime: 1_000,
  maxRetries: 1_000,
};

/** A client under test: opened on a URL, reporting each message (parsed) and closable. */
interface Client {
  close(): void;
}
type Open = (url: string, onMessage: (value: unknown) => void) => Client;

const CLIENTS: Record<string, Open> = {
  "@ws-errors/node connect()": (url, onMessage) => {
    const client = connect(url, { codec: collective2, reconnect: BACKOFF });
    client.on("message", onMessage);
    return { close: () => client.close() };
  },
  "@ws-errors/rxjs messages$": (url, onMessage) => {
    const connection = wsErrorsConnection(url, { codec: collective2, reconnect: BACKOFF, createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike });
    const subscription = connection.messages$.subscribe(onMessage);
    return { close: () => subscription.unsubscribe() };
  },
  "partysocket 1.3.0": (url, onMessage) => {
    const socket = new PartySocket(url, [], RWS_OPTIONS as never);
    socket.addEventListener("message", (event) => onMessage(JSON.parse(String((event as MessageEvent).data))));
    return { close: () => socket.close() };
  },
  "reconnecting-websocket 4.4.0": (url, onMessage) => {
    const socket = new ReconnectingWebSocket(url, [], RWS_OPTIONS);
    socket.addEventListener("message", (event) => onMessage(JSON.parse(String(event.data))));
    return { close: () => socket.close() };
  },
};

/** Messages per second until N have arrived (the stream server then closes; reconnecting clients are closed first). */
function throughput(open: Open, url: string, n: number): Promise<number> {
  return new Promise((resolve) => {
    const timer = streamTimer(n, (rate) => {
      client.close();
      resolve(rate);
    });
    const client = open(url, timer.message);
  });
}

function ticker(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", PEER, "ticker", String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => child.stdout?.once("data", () => resolve(child)));
}

/**
 * Milliseconds from a restarted server being ready to the first message the client gets from it:
 * the server is killed, stays down 600 ms (the client's retries meet refused connections and back
 * off), then starts again on the same port.
 */
async function reconnection(open: Open, port: number): Promise<number> {
  let server = await ticker(port);
  let restartedAt = 0;
  let resolveFirst!: (ms: number) => void;
  const first = new Promise<number>((r) => (resolveFirst = r));
  let connected!: () => void;
  const up = new Promise<void>((r) => (connected = r));
  const client = open(`ws://127.0.0.1:${port}/`, () => {
    connected();
    if (restartedAt > 0) resolveFirst(performance.now() - restartedAt);
  });
  await up;
  server.kill("SIGKILL");
  await new Promise((r) => setTimeout(r, 600));
  server = await ticker(port);
  restartedAt = performance.now();
  const ms = await Promise.race([first, new Promise<number>((r) => setTimeout(() => r(Number.NaN), 10_000))]);
  client.close();
  server.kill("SIGKILL");
  return ms;
}

export async function peerBenchmarks(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const N = STREAM_MESSAGES;
  const stream = await startStreamServer(N);
  const raw: number[] = [];
  const rates: Record<string, number[]> = {};
  await rawThroughput(stream.url);
  for (const open of Object.values(CLIENTS)) await throughput(open, stream.url, N);
  for (let i = 0; i < ROUNDS; i++) {
    raw.push(await rawThroughput(stream.url));
    for (const [name, open] of Object.entries(CLIENTS)) (rates[name] ??= []).push(await throughput(open, stream.url, N));
  }
  stream.child.kill();
  for (const [name, values] of Object.entries(rates)) {
    figures.push(
      pairedFigure(
        "peers",
        `${name}: receive throughput, ${N.toLocaleString("en-US")} Collective2 signals (each client parses; ours also decode and track seq)`,
        values,
        raw,
        "raw `ws` client doing JSON.parse",
        "",
        "msg/s",
      ),
    );
  }

  // A port the system just gave out and took back: free now, and the ticker restarts on it.
  const port = await new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, "127.0.0.1", () => {
      const { port: free } = probe.address() as { port: number };
      probe.close(() => resolve(free));
    });
  });
  const times: Record<string, number[]> = {};
  for (let i = 0; i < 3; i++) {
    for (const [name, open] of Object.entries(CLIENTS)) (times[name] ??= []).push(await reconnection(open, port));
  }
  const base = times["reconnecting-websocket 4.4.0"] as number[];
  for (const [name, values] of Object.entries(times)) {
    const ratios = values.map((v, i) => (base[i] as number) / v);
    figures.push({
      suite: "peers",
      name: `${name}: server restart (down 600 ms) → first message after it, backoff 100 ms ×2 up to 1 s`,
      median: median(values),
      spread: [Math.min(...values), Math.max(...values)],
      unit: "ms",
      baseline: "reconnecting-websocket, same run",
      baselineMedian: median(base),
      ratio: median(ratios),
      ratioSpread: [Math.min(...ratios), Math.max(...ratios)],
    });
  }
  return figures;
}
