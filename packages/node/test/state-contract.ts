import { describe, expect, it } from "vitest";
import type { SharedState } from "../src/index";

/**
 * What every SharedState must do, run against the embedded one here and against Redis in
 * `@ws-errors/redis`. `make` gives two views of one store (two instances sharing it); for the
 * embedded store both are the same object.
 */
export function stateContract(name: string, make: () => Promise<{ a: SharedState; b: SharedState; close(): Promise<void> }>): void {
  const within = async (test: (a: SharedState, b: SharedState) => Promise<void>) => {
    const { a, b, close } = await make();
    try {
      await test(a, b);
    } finally {
      await close();
    }
  };
  const unique = () => `t${Math.random().toString(36).slice(2)}`;

  describe(`SharedState contract: ${name}`, () => {
    it("caps slots exactly, across instances, under racing acquisitions; a released slot is free again", () =>
      within(async (a, b) => {
        const key = unique();
        const results = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).acquire(key, 7, `holder-${i}`)));
        expect(results.filter(Boolean)).toHaveLength(7);
        const holder = `holder-${results.indexOf(true)}`;
        expect(await a.acquire(key, 7, holder)).toBe(true); // the same holder again: still one slot
        expect(await b.acquire(key, 7, "late")).toBe(false);
        await b.release(key, holder);
        expect(await a.acquire(key, 7, "late")).toBe(true);
        expect(await b.acquire(key, 7, "later")).toBe(false);
      }));

    it("counts hits in one sliding window across instances and says how long to wait", () =>
      within(async (a, b) => {
        const bucket = unique();
        const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a : b).hit(bucket, 10, 60_000)));
        expect(answers.filter((w) => w === undefined)).toHaveLength(10);
        const waits = answers.filter((w): w is number => w !== undefined);
        expect(Math.min(...waits)).toBeGreaterThan(0);
        expect(Math.max(...waits)).toBeLessThanOrEqual(120_000);
        // Another bucket is untouched.
        expect(await a.hit(unique(), 10, 60_000)).toBeUndefined();
      }));

    it("pushes a revocation to every instance and remembers it", () =>
      within(async (a, b) => {
        const key = unique();
        const heardA: string[] = [];
        const heardB: string[] = [];
        const offA = a.onRevoke((k) => heardA.push(k));
        const offB = b.onRevoke((k) => heardB.push(k));
        // A listener goes live asynchronously where pushes travel over Redis pub/sub (a message
        // published before the subscription is in place reaches nobody): a warm-up revocation, sent
        // until both hear it, says they are live. A fixed 50 ms wait failed under a loaded machine.
        const warm = unique();
        for (let i = 0; !(heardA.includes(warm) && heardB.includes(warm)); i++) {
          if (i === 100) throw new Error("the listeners never went live");
          await a.revoke(warm, 60_000);
          await settle();
        }
        expect(await b.isRevoked(key)).toBe(false);
        await a.revoke(key, 60_000);
        await until(() => heardA.includes(key) && heardB.includes(key), "both instances to hear the revocation");
        expect(await b.isRevoked(key)).toBe(true);
        offA();
        offB();
      }));

    it("keeps one sequence per stream whichever instance appends, replays after a position in order, and tails live entries", () =>
      within(async (a, b) => {
        const stream = unique();
        const live: number[] = [];
        const off = b.tail(stream, (entry) => live.push(entry.seq));
        await settle();
        const seqs: number[] = [];
        for (let i = 0; i < 20; i++) seqs.push(await (i % 2 ? a : b).append(stream, `m${i}`));
        expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => (seqs[0] as number) + i));
        const replay = await a.replay(stream, seqs[4] as number, 100);
        expect(replay.entries.map((e) => e.payload)).toEqual(Array.from({ length: 15 }, (_, i) => `m${i + 5}`));
        expect(replay.more).toBe(false);
        expect(replay.lost).toBeUndefined();
        const limited = await b.replay(stream, seqs[0] as number, 5);
        expect(limited.entries.map((e) => e.seq)).toEqual(seqs.slice(1, 6));
        expect(limited.more).toBe(true);
        await until(() => live.length === 20, "the tail to see every entry");
        expect(live).toEqual(seqs);
        off();
      }));

    it("never reports a loss to a client at the head of a stream while another instance appends (regression: the fleet run's false gaps)", () =>
      within(async (a, b) => {
        const stream = unique();
        let head = await a.append(stream, "first");
        let appending = true;
        const appender = (async () => {
          // Slower than the replays, so most of them find the client already at the head.
          while (appending) {
            await b.append(stream, "more");
            await new Promise((r) => setTimeout(r, 2));
          }
        })();
        try {
          for (let i = 0; i < 1000; i++) {
            const replay = await a.replay(stream, head, 1000);
            expect(replay.lost).toBeUndefined();
            head = replay.entries.at(-1)?.seq ?? head;
          }
        } finally {
          appending = false;
          await appender;
        }
      }));

    it("reports entries lost to retention instead of leaving a silent hole", () =>
      within(async (a) => {
        const stream = unique();
        const seqs: number[] = [];
        for (let i = 0; i < 150; i++) seqs.push(await a.append(stream, `m${i}`));
        // Both implementations are created with a retention of 100 entries for this suite.
        const replay = await a.replay(stream, seqs[10] as number, 1000);
        expect(replay.lost).toEqual({ from: seqs[11] as number, to: seqs[49] as number });
        expect(replay.entries[0]?.seq).toBe(seqs[50]);
        expect(replay.entries.at(-1)?.seq).toBe(seqs[149]);
      }));
  });
}

const settle = () => new Promise((r) => setTimeout(r, 50));
async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
