import { Redis } from "ioredis";
import { afterAll, beforeAll, describe } from "vitest";
import { stateContract } from "../../node/test/state-contract";
import { redisState } from "../src/index";
import { redisServerAvailable, startRedisServer, type RedisServer } from "../src/testing";

// Debian's redis-server: .ci/run installs it; elsewhere, without it, this suite is skipped.
const available = redisServerAvailable() || Boolean(process.env.CI);
let redis: RedisServer;
beforeAll(async () => {
  if (available) redis = await startRedisServer();
});
afterAll(async () => redis?.stop());

// Two clients and two states on one Redis: two instances, as the contract sees them.
if (!available) describe.skip("SharedState contract: redis (no redis-server on the PATH)", () => undefined);
else
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
