import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { stateContract } from "../../node/test/state-contract";
import { redisState } from "../src/index";
import { startRedisServer, type RedisServer } from "../src/testing";

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => redis?.stop());

// Two clients and two states on one Redis: two instances, as the contract sees them.
stateContract("redis", async () => {
  const clients = [new Redis(redis.url), new Redis(redis.url)];
  const [a, b] = clients.map((client) => redisState({ client, historyRetention: 100 })) as [ReturnType<typeof redisState>, ReturnType<typeof redisState>];
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await Promise.all(clients.map((c) => c.quit()));
    },
  };
});
