import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import { collective2, TooManyRequestsError } from "@ws-errors/core/catalogs/collective2";
import { apiKey, WsErrorServer, type ServerConnection } from "@ws-errors/node";
import { pairedFigure, type Figure } from "./stats";

/*
 * The server's hot paths with metrics on (the OpenTelemetry SDK recording every error, upgrade and
 * connection) against off (no SDK: the server records nothing, as every server without one runs),
 * in the same run, alternating rounds. Off is the code path the node suite measures against raw
 * `ws` in the same full run.
 */

const PEER = fileURLToPath(new URL("./peer.ts", import.meta.url));
const ROUNDS = 15;
const quiet = { error: () => undefined, warn: () => undefined };

/* A pull reader: the SDK aggregates every measurement; nothing exports during the figure. */
class Reader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

function peer(...args: string[]): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", PEER, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  child.stdout?.on("data", (d: Buffer) => (text += d.toString()));
  return new Promise((resolve) => child.on("exit", () => resolve(text)));
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return (server.address() as AddressInfo).port;
}

/** 50,000 error frames through sendError to one reading client, with and without metrics. */
async function emission(meter: ReturnType<MeterProvider["getMeter"]>): Promise<Figure> {
  const N = 50_000;
  const error = new TooManyRequestsError();
  const servers = await Promise.all(
    [meter, false as const].map(async (metrics) => {
      const http = createServer();
      const server = new WsErrorServer({ codec: collective2, server: http, metrics, logger: quiet });
      return { http, server, port: await listen(http) };
    }),
  );
  const time = ({ server, port }: (typeof servers)[number]) =>
    new Promise<number>((resolve) => {
      const run = async (connection: ServerConnection) => {
        const t0 = performance.now();
        for (let i = 0; i < N; i++) {
          connection.sendError(error, { requestId: "r-1" });
          if (connection.socket.bufferedAmount > 1 << 20) await new Promise((r) => setImmediate(r));
        }
        await connection.send({});
        resolve((N * 1000) / (performance.now() - t0));
      };
      server.once("connection", (connection) => void run(connection));
      void peer("sink", `ws://127.0.0.1:${port}/`, String(N + 1));
    });
  const [on, off] = servers as [(typeof servers)[number], (typeof servers)[number]];
  await time(on);
  await time(off);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // The first of each round alternates, so neither always inherits the other's garbage.
    if (i % 2) {
      b.push(await time(off));
      a.push(await time(on));
    } else {
      a.push(await time(on));
      b.push(await time(off));
    }
  }
  for (const { server, http } of servers) {
    await server.close();
    http.closeAllConnections();
    http.close();
  }
  return pairedFigure(
    "metrics",
    "server error-frame emission, metrics on: 50,000 TOO_MANY_REQUESTS frames via sendError",
    a,
    b,
    "the same server, no SDK (metrics off)",
    "≥ 0.90×",
    "msg/s",
  );
}

/** 4,000 upgrades refused with a bad key, 32 at a time, with and without metrics. */
async function rejections(meter: ReturnType<MeterProvider["getMeter"]>): Promise<Figure> {
  const servers = await Promise.all(
    [meter, false as const].map(async (metrics) => {
      const http = createServer();
      const server = new WsErrorServer({
        codec: collective2,
        server: http,
        metrics,
        logger: quiet,
        policies: [apiKey({ from: { bearer: true }, verify: () => false })],
      });
      return { http, server, port: await listen(http) };
    }),
  );
  const run = async (port: number) => JSON.parse(await peer("reject", `ws://127.0.0.1:${port}/`, "4000", "32")).perSecond as number;
  const [on, off] = servers as [(typeof servers)[number], (typeof servers)[number]];
  await run(on.port);
  await run(off.port);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    if (i % 2) {
      b.push(await run(off.port));
      a.push(await run(on.port));
    } else {
      a.push(await run(on.port));
      b.push(await run(off.port));
    }
  }
  for (const { server, http } of servers) {
    await server.close();
    http.close();
  }
  return pairedFigure(
    "metrics",
    "upgrade rejections, metrics on: 4,000 attempts with a bad key, 32 concurrent",
    a,
    b,
    "the same server, no SDK (metrics off)",
    "≥ 0.90×",
    "ops/s",
  );
}

export async function metricsBenchmarks(): Promise<Figure[]> {
  const provider = new MeterProvider({ readers: [new Reader()] });
  const meter = provider.getMeter("@ws-errors/node");
  const figures = [await emission(meter), await rejections(meter)];
  await provider.shutdown();
  return figures;
}
