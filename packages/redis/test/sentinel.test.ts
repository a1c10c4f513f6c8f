import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redisServerAvailable, type RedisSentinels, type RedisServer, startRedisSentinels } from "../src/testing";
import { askRedis } from "../src/testing/server";
import { redisState } from "../src/index";
import { failover, retrying } from "./failover";

// Debian's redis-server and redis-sentinel: .ci/run installs them; elsewhere this suite is skipped.
const available = (redisServerAvailable() && redisServerAvailable("redis-sentinel")) || Boolean(process.env.CI);
let set: RedisSentinels;
beforeAll(async () => {
  if (available) set = await startRedisSentinels();
}, 60_000);
afterAll(async () => set?.stop());

const maybe = available ? describe : describe.skip;
maybe("a Sentinel-managed primary killed mid-stream", () => {
  it(
    "the sentinels promote its replica: the stream goes on with no gap and no duplicate, caps, windows and revocations hold",
    () =>
      failover({
        connect: () => new Redis({ sentinels: [...set.sentinels], name: set.name }),
        kill: async () => (await set.primary()).kill(),
        settled: () => set.settled(),
      }),
    60_000,
  );
});

maybe("asynchronous replication: a primary that dies before its replica has its last entries", () => {
  it("loses them, but never gives their ids to other entries, and a resuming client is told of the hole (the replay says what was lost, which a server sends as its catalog's gap entry), never left with a silent one", async () => {
    const own = await startRedisSentinels();
    const clients = [new Redis({ sentinels: [...own.sentinels], name: own.name }), new Redis({ sentinels: [...own.sentinels], name: own.name })];
    for (const c of clients) c.on("error", () => undefined);
    const states: ReturnType<typeof redisState>[] = [];
    try {
      const [a, b] = clients.map((client) => redisState({ client }));
      states.push(a as ReturnType<typeof redisState>, b as ReturnType<typeof redisState>);
      if (!a || !b) throw new Error("two states expected");
      const [primary, replica] = own.servers as [RedisServer, RedisServer];
      const stream = "signals";
      const live: number[] = [];
      b.tail(stream, (entry) => live.push(entry.seq));
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 1; i <= 50; i++) await a.append(stream, `s${i}`);
      await askRedis(primary.port, (r) => r.call("WAIT", "1", "2000"));
      // The replica stops taking the stream: frozen, and its link cut on the primary's side (a
      // frozen replica would still read what reached its socket once it wakes). 51-60 then exist
      // on the primary only, and are shown live.
      replica.freeze();
      await askRedis(primary.port, (r) => r.call("CLIENT", "KILL", "TYPE", "replica"));
      for (let i = 51; i <= 60; i++) await a.append(stream, `s${i}`);
      await until(() => live.length === 60, "the tail to hear 1-60");
      await primary.kill();
      replica.thaw();
      await own.settled();
      expect((await own.primary()).port).toBe(replica.port);

      const after: number[] = [];
      for (let i = 61; after.length < 10; i++) {
        try {
          after.push(await a.append(stream, `s${i}`));
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      // 51-60 were lost with the primary; the ids a client may hold are not handed out again.
      expect(after).toEqual(Array.from({ length: 10 }, (_, i) => 61 + i));
      await until(() => live.length === 70, "the tail to hear 61-70");
      expect(live).toEqual(Array.from({ length: 70 }, (_, i) => i + 1));
      // A client that had 55 is told 56-60 are gone, then gets 61 on.
      const from55 = await retrying(() => b.replay(stream, 55, 100));
      expect(from55.lost).toEqual({ from: 56, to: 60 });
      expect(from55.entries.map((e) => e.seq)).toEqual(after);
      // A client that had 45 gets 46-50, then (asking again from 50) the hole, then the rest.
      const from45 = await retrying(() => b.replay(stream, 45, 100));
      expect(from45).toEqual({ entries: [46, 47, 48, 49, 50].map((seq) => ({ seq, payload: `s${seq}` })), more: true });
      const from50 = await retrying(() => b.replay(stream, 50, 100));
      expect(from50.lost).toEqual({ from: 51, to: 60 });
      expect(from50.entries[0]?.seq).toBe(61);
    } finally {
      for (const state of states) await state.close();
      for (const c of clients) c.disconnect();
      await own.stop();
    }
  }, 60_000);
});

const until = async (check: () => boolean, what: string, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
