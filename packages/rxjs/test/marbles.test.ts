import { collective2, ForbiddenError, TooManyRequestsError } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { tickdbLegacy } from "@ws-errors/core/catalogs/tickdb-legacy";
import type { Decision } from "@ws-errors/core";
import { TestScheduler } from "rxjs/testing";
import { describe, expect, it } from "vitest";
import { ofType, retryByCatalog } from "../src/index";

const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const rateLimited = (retryAfter: string) =>
  collective2.decodeUpgrade({ status: 429, headers: { "retry-after": retryAfter }, body: '{"code":"TOO_MANY_REQUESTS","message":"slow down"}' })!;
const closeError = (code: number, reason = "") => escaRates.decodeClose({ code, reason })!;

describe("retryByCatalog (marbles)", () => {
  it("waits as Retry-After says before re-subscribing", () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold("--#", undefined, rateLimited("3"));
      // A refused upgrade that says "retry later" is reconnected after its delay, bounded by maxAttempts.
      const result = source.pipe(retryByCatalog({ reconnect: { maxAttempts: 1 } }));
      // subscribe, error at 2 ms, wait 3 s (more than any backoff), subscribe again, error again: out of attempts.
      expectObservable(result).toBe("-- 3000ms --#", undefined, rateLimited("3"));
      expectSubscriptions(source.subscriptions).toBe(["^-!", "-- 3000ms ^-!"]);
    });
  });

  it("lets a stop directive through at once", () => {
    scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const error = new ForbiddenError();
      const source = cold("a-#", { a: 1 }, error);
      expectObservable(source.pipe(retryByCatalog())).toBe("a-#", { a: 1 }, error);
      expectSubscriptions(source.subscriptions).toBe("^-!");
    });
  });

  it("backs off exponentially with jitter under a cap, and gives up after maxAttempts", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const error = closeError(1011);
      const decisions: Decision[] = [];
      const source = cold("#", undefined, error);
      const result = source.pipe(
        retryByCatalog({ reconnect: { initialMs: 100, maxMs: 300, maxAttempts: 4 }, random: () => 0.5, onDecision: (d) => decisions.push(d) }),
      );
      // delays: 50, 100, 150 (0.5 × min(300, 100·2^n)), 150, then stop
      expectObservable(result).toBe("50ms 100ms 150ms 150ms #", undefined, error);
      scheduler().flush();
      return decisions;
    });
  });

  it("waits until reset_at for TickDB's 429", () => {
    const now = 1_700_000_000_000;
    const error = tickdbLegacy.decodeUpgrade({
      status: 429,
      headers: {},
      body: JSON.stringify({ success: false, error: "Rate limit exceeded", code: 429, reset_at: now / 1000 + 60 }),
    })!;
    const decisions: Decision[] = [];
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold("#", undefined, error);
      const result = source.pipe(retryByCatalog({ reconnect: { maxAttempts: 1 }, now: () => now, onDecision: (d) => decisions.push(d) }));
      expectObservable(result).toBe("60000ms #", undefined, error);
    });
    expect(decisions.map((d) => d.action)).toEqual(["reconnect", "stop"]);
    expect(decisions[0]?.delayMs).toBe(60_000);
  });

  it("passes errors that are not catalog errors through untouched", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const plain = new TypeError("boom");
      expectObservable(cold("-#", undefined, plain).pipe(retryByCatalog())).toBe("-#", undefined, plain);
    });
  });
});

describe("ofType (marbles)", () => {
  it("filters by class, kind or id, across vendors", () => {
    scheduler().run(({ cold, expectObservable }) => {
      const a = new TooManyRequestsError();
      const b = new ForbiddenError();
      const c = closeError(4008, "rate_limited"); // Esca's slow consumer: kind slow-consumer
      const errors = cold("abc", { a, b, c });
      expectObservable(errors.pipe(ofType(TooManyRequestsError))).toBe("a--", { a });
      expectObservable(errors.pipe(ofType("permission-denied", "slow-consumer"))).toBe("-bc", { b, c });
      expectObservable(errors.pipe(ofType("collective2/forbidden"))).toBe("-b-", { b });
    });
  });
});

describe("retryByCatalog counts per subscription", () => {
  it("gives a second subscriber of the same operator instance its own retries (it got 1 instead of 4)", () => {
    scheduler().run(({ cold, expectSubscriptions }) => {
      // A command answered with retry-later: the message may be retried 3 times.
      const answer = collective2.decodeFrame('{"msg_type":"error","request_id":"r1","payload":{"code":"TOO_MANY_REQUESTS","message":"slow down"}}')!;
      const first = cold("-#", undefined, answer);
      const second = cold("-#", undefined, answer);
      const operator = retryByCatalog<string>({ defaultRetryMs: 10 });
      first.pipe(operator).subscribe({ error: () => undefined });
      second.pipe(operator).subscribe({ error: () => undefined });
      const attempts = ["^!", "- 10ms ^!", "- 10ms - 10ms ^!", "- 10ms - 10ms - 10ms ^!"];
      expectSubscriptions(first.subscriptions).toBe(attempts);
      expectSubscriptions(second.subscriptions).toBe(attempts);
    });
  });
});
