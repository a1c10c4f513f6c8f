import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { Module, type INestApplication } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { ConnectedSocket, MessageBody, SubscribeMessage } from "@nestjs/websockets";
import type { Codec, WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { infoway } from "@ws-errors/core/catalogs/infoway";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { tickdbLegacy } from "@ws-errors/core/catalogs/tickdb-legacy";
import type { WebSocket } from "ws";
import { conformanceSuite } from "../../node/test/conformance";
import { connectionOfSocket, WsErrorsAdapter, WsErrorsGateway, WsErrorsModule } from "../src/index";

const codecs = { collective2, "esca-rates": escaRates, infoway, tickdb, "tickdb-legacy": tickdbLegacy } as unknown as Record<string, Codec<WsError>>;

function make(codec: Codec<WsError>, id: unknown): WsError {
  const ctor = typeof id === "string" ? codec.classes[id] : undefined;
  if (!ctor) throw new Error(`no entry ${String(id)}`);
  return new ctor();
}

/** A Nest application for one catalog that honours the fake-server contract, through a real gateway. */
async function nestApp(codec: Codec<WsError>): Promise<{ app: INestApplication; url: string }> {
  @WsErrorsGateway({ path: `/${codec.catalog.name}` })
  class ContractGateway {
    @SubscribeMessage("emit")
    emit(@MessageBody() message: { $emit: string; layer?: string; scope?: string }, @ConnectedSocket() client: WebSocket): unknown {
      const error = make(codec, message.$emit);
      const connection = connectionOfSocket(client)!;
      if (message.layer === "close") return void connection.closeWith(error);
      if (message.scope === "connection") return void connection.sendError(error);
      throw error; // a handler's throw: the filter answers with the message's correlation fields
    }
  }
  @Module({
    imports: [
      WsErrorsModule.forRoot({
        codec,
        authenticate: ({ url }) => {
          if (url.searchParams.get("layer") === "upgrade") throw make(codec, url.searchParams.get("emit"));
          return { key: "nest" };
        },
        browserFallback: (request) => new URL(request.url ?? "/", "http://x").searchParams.get("browser") === "1",
        logger: { error: () => undefined, warn: () => undefined },
      }),
    ],
    providers: [ContractGateway],
  })
  class AppModule {}
  const app = await NestFactory.create(AppModule, { logger: ["error"], abortOnError: false });
  app.useWebSocketAdapter(new WsErrorsAdapter(app));
  await app.listen(0, "127.0.0.1");
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `ws://127.0.0.1:${port}/${codec.catalog.name}` };
}

conformanceSuite("@ws-errors/nestjs gateways", codecs, async () => {
  const apps = new Map<string, Awaited<ReturnType<typeof nestApp>>>();
  for (const codec of Object.values(codecs)) apps.set(codec.catalog.name, await nestApp(codec));
  return {
    url: (codec) => apps.get(codec.catalog.name)!.url,
    close: async () => {
      for (const { app } of apps.values()) await app.close();
    },
  };
});
