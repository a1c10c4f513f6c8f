import { Cluster } from "ioredis";
import { afterAll, beforeAll, describe, it } from "vitest";
import { stateContract } from "../../node/test/state-contract";
import { redisState } from "../src/index";
import { type RedisCluster, redisServerAvailable, startRedisCluster } from "../src/testing";
import { failover } from "./failover";

// Debian's redis-server and redis-cli: .ci/run installs them; elsewhere, without them, this suite is skipped.
const available = redisServerAvailable() || Boolean(process.env.CI);
let cluster: RedisCluster;
beforeAll(async () => {
  if (available) cluster = await startRedisCluster();
}, 60_000);
afterAll(async () => cluster?.stop());

if (!available) describe.skip("SharedState contract: redis cluster (no redis-server on the PATH)", () => undefined);
else
  stateContract("redis cluster", async () => {
    const clients = [new Cluster([...cluster.startupNodes]), new Cluster([...cluster.startupNodes])];
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

const maybe = available ? describe : describe.skip;
maybe("a cluster primary killed mid-stream", () => {
  it(
    "its replica takes over: the stream goes on with no gap and no duplicate, caps count every open slot again, revocations still reach every instance",
    () =>
      failover({
        connect: () => new Cluster([...cluster.startupNodes]),
        kill: async (stream) => (await cluster.primaryFor(`ws-errors:stream:{${stream}}`)).kill(),
        settled: () => cluster.settled(),
      }),
    60_000,
  );
});
