import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { connect } from "@ws-errors/node";
import { wsErrorsConnection, type WebSocketLike } from "@ws-errors/rxjs";
import { webSocket } from "rxjs/webSocket";
import { WebSocket } from "ws";
import { rawThroughput, startStreamServer, STREAM_MESSAGES, streamTimer } from "./raw-client";
import { rotatedRounds } from "./stats";

/*
 * One process's rounds of a receive-throughput figure (node.ts and rxjs.ts pool those of several
 * processes): `receive.ts <node|rxjs> <rounds>` prints the messages per second of each client per
 * round, in the order below, as JSON. Every client reads the same pre-encoded stream from a server
 * in a child process; the first client of each round rotates.
 */
const N = STREAM_MESSAGES;
const [which, rounds] = process.argv.slice(2);
const { url, child } = await startStreamServer(N);

type Run = () => Promise<number>;
const raw: Run = () => rawThroughput(url);
const node: Run = () =>
  new Promise((resolve) => {
    const timer = streamTimer(N, resolve);
    const client = connect(url, { codec: collective2, reconnect: false });
    client.on("message", timer.message);
    client.on("stopped", timer.end);
  });
const rxjs: Run = () =>
  new Promise((resolve) => {
    const timer = streamTimer(N, resolve);
    const connection = wsErrorsConnection(url, { codec: collective2, reconnect: false, createSocket: (u) => new WebSocket(u) as unknown as WebSocketLike });
    connection.messages$.subscribe({ next: timer.message, complete: timer.end, error: timer.end });
  });
const rxjsWebSocket: Run = () =>
  new Promise((resolve) => {
    const timer = streamTimer(N, resolve);
    webSocket({ url, WebSocketCtor: WebSocket as unknown as typeof globalThis.WebSocket }).subscribe({
      next: timer.message,
      complete: timer.end,
      error: timer.end,
    });
  });

const runs = which === "node" ? [node, raw] : [rxjs, raw, rxjsWebSocket];
for (const run of runs) await run(); // one warm-up each
const samples = await rotatedRounds(Number(rounds), runs);
child.kill();
process.stdout.write(JSON.stringify(samples));
