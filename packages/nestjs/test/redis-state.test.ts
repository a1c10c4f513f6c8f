import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { Module, type INestApplication } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { apiKey, connectionCap, revocation, type SharedState } from "@ws-errors/node";
import { redisState } from "@ws-errors/redis";
import { redisServerAvailable, startRedisServer, type RedisServer } from "@ws-errors/redis/testing";
import { Redis } from "ioredis";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Command, WsErrorsAdapter, WsErrorsGateway, WsErrorsModule } from "../src/index";

// Debian's redis-server: .ci/run installs it; elsewhere, without it, this suite is skipped.
const maybe = redisServerAvailable() || process.env.CI ? describe : describe.skip;

@WsErrorsGateway({ path: "/ws" })
class SignalsGateway {
  @Command("ping")
  ping() {
    return { msg_type: "pong" };
  }
}

let redis: RedisServer;
const clients: Redis[] = [];
const states: SharedState[] = [];
const apps: INestApplication[] = [];
beforeAll(async () => {
  if (redisServerAvailable() || process.env.CI) redis = await startRedisServer();
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  // The closed connections give their slots back before the states close their connections.
  await new Promise((r) => setTimeout(r, 200));
  await Promise.all(states.map((s) => s.close()));
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

/** One NestJS instance whose module state is on the shared Redis. */
async function instance(): Promise<{ app: INestApplication; url: string }> {
  const client = new Redis(redis.url);
  clients.push(client);
  const state = redisState({ client });
  states.push(state);
  @Module({
    imports: [
      WsErrorsModule.forRoot({
        codec: collective2,
        state,
        policies: [apiKey({ from: { bearer: true }, verify: () => true }), revocation(), connectionCap({ perKey: 2 })],
      }),
    ],
    providers: [SignalsGateway],
  })
  class SignalsModule {}
  const app = await NestFactory.create(SignalsModule, { logger: false });
  app.useWebSocketAdapter(new WsErrorsAdapter(app));
  await app.listen(0, "127.0.0.1");
  apps.push(app);
  return { app, url: `ws://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/ws` };
}

const open = (url: string) =>
  new Promise<{ ws?: WebSocket; status?: number }>((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: "Bearer sk_shared" } });
    ws.once("open", () => resolve({ ws }));
    ws.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once("error", reject);
  });

maybe("WsErrorsModule.forRoot({ state }) with @ws-errors/redis", () => {
  it("two Nest applications share one cap and one revocation bus", async () => {
    const [a, b] = [await instance(), await instance()];
    const first = await open(a.url);
    const second = await open(b.url);
    expect(first.ws && second.ws).toBeTruthy();
    expect((await open(a.url)).status).toBe(429);
    expect((await open(b.url)).status).toBe(429);
    const closed = [first, second].map(
      (o) => new Promise<{ code: number; reason: string }>((r) => o.ws!.once("close", (code, reason) => r({ code, reason: reason.toString() }))),
    );
    // Revoked through one instance's state: both applications close the key's connections.
    await states[0]!.revoke("sk_shared", 2_000);
    const closes = await Promise.all(closed);
    // Collective2's unauthorized entry has no close layer: its browser fallback, which clients read as
    // that entry (a bare 1008 would read as too-many-connections).
    expect(closes).toEqual([
      { code: 4401, reason: "Invalid API key" },
      { code: 4401, reason: "Invalid API key" },
    ]);
    expect(closes.map((c) => collective2.decodeClose(c)?._tag)).toEqual(["collective2/unauthorized", "collective2/unauthorized"]);
  }, 20_000);
});
