import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RateWindow } from "../src/index";

describe("RateWindow", () => {
  it("admits `limit` hits per window, then says how long until the next one is admitted", () => {
    const window = new RateWindow({ limit: 5, windowMs: 60_000 });
    const t0 = 1_000_000 * 60_000 + 10_000;
    for (let i = 0; i < 5; i++) expect(window.hitMs("a", t0)).toBeUndefined();
    const wait = window.hitMs("a", t0) as number;
    expect(wait).toBeGreaterThan(0);
    // Honest: refused a moment before the wait is over, admitted once it is.
    expect(window.hitMs("a", t0 + wait - 50)).toBeDefined();
    expect(window.hitMs("a", t0 + wait)).toBeUndefined();
  });

  it("never admits more than the limit within any window-long span (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: 1, maxLength: 300 }), (limit, gaps) => {
        const windowMs = 1_000;
        const window = new RateWindow({ limit, windowMs });
        const admitted: number[] = [];
        let now = 0;
        for (const gap of gaps) {
          now += gap % 97;
          if (window.hitMs("k", now) === undefined) admitted.push(now);
        }
        // Each aligned window admits at most the limit; a span across a boundary can hold more only
        // by the weighted estimate's slack, which stays under twice the limit.
        const perWindow = new Map<number, number>();
        for (const t of admitted) perWindow.set(Math.floor(t / windowMs), (perWindow.get(Math.floor(t / windowMs)) ?? 0) + 1);
        for (const count of perWindow.values()) expect(count).toBeLessThanOrEqual(limit);
        for (let i = 0; i < admitted.length; i++) {
          const inSpan = admitted.filter((t) => t >= (admitted[i] as number) && t < (admitted[i] as number) + windowMs).length;
          expect(inSpan).toBeLessThanOrEqual(2 * limit);
        }
      }),
    );
  });

  it("keeps buckets apart: one address spending its budget leaves another's whole", () => {
    const window = new RateWindow({ limit: 3, windowMs: 1_000 });
    for (let i = 0; i < 100; i++) window.hitMs("127.0.0.1", 5);
    expect(window.hitMs("127.0.0.2", 5)).toBeUndefined();
  });

  it("drops idle buckets, so a churn of random keys stays bounded", () => {
    const window = new RateWindow({ limit: 1, windowMs: 1_000 });
    let now = 0;
    for (let i = 0; i < 50_000; i++) {
      now += 1; // 1,000 new keys a second for 50 s
      window.hitMs(`key-${i}`, now);
    }
    // At most the keys of the last two or three windows are held.
    expect(window.size).toBeLessThanOrEqual(3_000);
  });

  it("rejects nonsense limits with a message naming them", () => {
    expect(() => new RateWindow({ limit: 5, windowMs: 0 })).toThrow(/windowMs 0/);
    expect(() => new RateWindow({ limit: Number.NaN, windowMs: 10 })).toThrow(/limit NaN/);
  });
});
