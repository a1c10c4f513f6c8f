import type { RedisLike } from "../src/index";
import { expect } from "vitest";
import { redisState } from "../src/index";

const until = async (check: () => boolean | Promise<boolean>, what: string, ms = 20_000) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A call retried while the instance's connection finds the new primary (as a caller would). */
export const retrying = async <T>(call: () => T | Promise<T>, ms = 10_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
};

/** How a test reaches the Redis deployment it fails over. */
export interface Deployment {
  /** A new client of the deployment, as an instance makes one. */
  connect(): RedisLike;
  /** Kills the primary that holds `stream`'s history. */
  kill(stream: string): Promise<void>;
  /** Resolves once a replica has taken over. */
  settled(): Promise<void>;
}

/**
 * Two instances on a deployment whose primary is killed mid-stream, with `historyReplicas: 1`:
 * the stream's ids run without a hole, a tail hears each entry once, the slots of open
 * connections count again, a rate window and a remembered revocation survive (they were
 * replicated before the kill), and a revocation made after it reaches every instance.
 */
export async function failover(deployment: Deployment): Promise<void> {
  const clients = [deployment.connect(), deployment.connect()];
  // The instances' own connection errors while the primary is away are expected, not unhandled.
  for (const c of clients) c.on("error", () => undefined);
  const [a, b] = clients.map((client) => redisState({ client, leaseMs: 3_000, historyReplicas: 1 })) as [
    ReturnType<typeof redisState>,
    ReturnType<typeof redisState>,
  ];
  try {
    const stream = `prices-${Date.now()}`;
    const live: number[] = [];
    const offTail = b.tail(stream, (entry) => live.push(entry.seq));
    const revoked: string[] = [];
    const offRevoke = b.onRevoke((key) => revoked.push(key));
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.acquire("fleet-key", 2, "a-1")).toBe(true);
    expect(await a.acquire("fleet-key", 2, "a-2")).toBe(true);
    for (let i = 0; i < 5; i++) expect(await a.hit("window", 5, 60_000)).toBeUndefined();
    await a.revoke("before", 60_000);

    // The appender retries what failed while the shard had no primary, as a server's publisher does.
    const appended: number[] = [];
    const append = async (i: number) => {
      for (;;) {
        try {
          appended.push(await a.append(stream, `tick ${i}`));
          return;
        } catch (e) {
          if (process.env.DEBUG_FAILOVER) console.log("APPEND", String(e));
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    for (let i = 0; i < 50; i++) await append(i);
    await deployment.kill(stream);
    // The promoted replica has no replica of its own: the first append waits out its bound for
    // one (historyReplicas: 1), then appends stop waiting for a while.
    for (let i = 50; i < 70; i++) await append(i);
    await deployment.settled();

    // The stream's ids run without a hole and the tail heard exactly them, each once. An append
    // whose answer was lost in the failover may have been stored before its retry: its payload
    // then appears twice, under two ids (a publisher's retry is at least once), never as a hole.
    const replay = await retrying(() => b.replay(stream, 0, 1000));
    const ids = replay.entries.map((e) => e.seq);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
    expect(replay.lost).toBeUndefined();
    expect(ids).toEqual(expect.arrayContaining(appended));
    const payloads = replay.entries.map((e) => e.payload);
    expect(payloads.filter((p, i) => p !== payloads[i - 1])).toEqual(Array.from({ length: 70 }, (_, i) => `tick ${i}`));
    await until(() => live.length >= ids.length, "the tail to hear every entry");
    expect(live).toEqual(ids);

    // The slots of a's two connections count again (replicated, or registered by a's renewal).
    await until(async () => (await Promise.resolve(b.acquire("fleet-key", 2, "b-1")).catch(() => true)) === false, "the cap to count a's slots", 5_000);
    // Replicated before the kill, so kept: the window is still full, the revocation remembered.
    expect(await retrying(() => b.hit("window", 5, 60_000))).toBeGreaterThan(0);
    expect(await retrying(() => b.isRevoked("before"))).toBe(true);
    await retrying(() => a.revoke("after", 60_000));
    await until(() => revoked.includes("after"), "the revocation to reach b");
    expect(await retrying(() => b.isRevoked("after"))).toBe(true);
    offTail();
    offRevoke();
  } finally {
    await a.close();
    await b.close();
    for (const c of clients) c.disconnect();
  }
}
