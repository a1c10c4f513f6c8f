import "reflect-metadata";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Module } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { escaRates, UnknownSymbolError } from "@ws-errors/core/catalogs/esca-rates";
import { Command, WsErrorsAdapter, WsErrorsGateway, WsErrorsModule } from "@ws-errors/nestjs";
import { WsErrorServer } from "@ws-errors/node";
import { WebSocket } from "ws";
import { pairedFigure, type Figure } from "./stats";

const N = 20_000;
const ROUNDS = 9;
const esca = escaRates;

@WsErrorsGateway({ path: "/v1/rates" })
class RatesGateway {
  @Command("subscribe")
  subscribe(): never {
    throw new UnknownSymbolError({ message: "Unsupported symbol XAU/USD" });
  }
}

@Module({ imports: [WsErrorsModule.forRoot({ codec: esca, logger: { error: () => undefined, warn: () => undefined } })], providers: [RatesGateway] })
class BenchModule {}

/** Error frames per second back to a client that pipelines N commands which all fail. */
function roundTrip(url: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let got = 0;
    ws.on("open", () => {
      const t0 = performance.now();
      ws.on("message", () => {
        if (++got === N) {
          resolve((N * 1000) / (performance.now() - t0));
          ws.close();
        }
      });
      for (let i = 0; i < N; i++) ws.send(`{"method":"subscribe","req_id":${i},"pairs":["XAU/USD"]}`);
    });
  });
}

export async function nestjsBenchmarks(): Promise<Figure[]> {
  const app = await NestFactory.create(BenchModule, { logger: false });
  app.useWebSocketAdapter(new WsErrorsAdapter(app));
  await app.listen(0, "127.0.0.1");
  const nestUrl = `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/v1/rates`;
  const http = createServer();
  const plain = new WsErrorServer({
    codec: esca,
    server: http,
    commands: {
      subscribe: () => {
        throw new UnknownSymbolError({ message: "Unsupported symbol XAU/USD" });
      },
    },
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const plainUrl = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  await roundTrip(nestUrl);
  await roundTrip(plainUrl);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    b.push(await roundTrip(plainUrl));
    a.push(await roundTrip(nestUrl));
  }
  await app.close();
  await plain.close();
  http.close();
  return [
    pairedFigure(
      "nestjs",
      "error emission through a Nest gateway: 20,000 pipelined commands, each answered with unknown_symbol (handler throws → filter → frame)",
      a,
      b,
      "the plain @ws-errors/node server, command handler throwing the same error",
      "≥ 0.85×",
      "msg/s",
    ),
  ];
}
