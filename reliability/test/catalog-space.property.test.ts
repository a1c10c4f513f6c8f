import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogArbitrary } from "./catalog-space/arbitrary";
import { codecOf, roundTrips, serverPaths } from "./catalog-space/conformance";
import { policyPaths, reached } from "./catalog-space/policies";

/*
 * Property-based conformance over catalogs nobody here wrote (see catalog-space/). Bounded for
 * `pnpm test` by a fixed seed and a count; `pnpm --filter @ws-errors/reliability soak:catalogs`
 * runs many more with a fresh seed. Each counterexample found is kept as a named regression under
 * codegen/test/catalogs/regressions/, which catalog-regressions.test.ts runs through the same checks.
 */
const RUNS = Number(process.env.CATALOG_RUNS ?? 20);
const SEED = process.env.CATALOG_SEED === undefined ? 20261203 : Number(process.env.CATALOG_SEED);
// Shrinking a catalog that fails over sockets takes a few seconds a step: past four minutes the
// smallest counterexample found so far is reported, inside the test's own timeout.
const params = { numRuns: RUNS, seed: SEED, endOnFailure: false, interruptAfterTimeLimit: 240_000, markInterruptAsFailure: true };

describe("any catalog", () => {
  it("encodes then decodes every entry as itself, on every layer", () => {
    fc.assert(
      fc.property(catalogArbitrary(), (raw) => {
        expect(roundTrips(codecOf(raw))).toBeUndefined();
      }),
      { ...params, numRuns: RUNS * 20 },
    );
  });

  it("reaches both client facades as each entry, from a throwing handler and from connection.fail", async () => {
    await fc.assert(
      fc.asyncProperty(catalogArbitrary(4), async (raw) => {
        expect(await serverPaths(codecOf(raw))).toBeUndefined();
      }),
      params,
    );
  }, 300_000);
});

describe("any catalog's built-in policies", () => {
  it("refuse and close with the entry they pick, read as it by both facades, or the server does not start", async () => {
    await fc.assert(
      fc.asyncProperty(catalogArbitrary(4), async (raw) => {
        expect(await policyPaths(codecOf(raw))).toBeUndefined();
      }),
      params,
    );
    // The generator reaches every policy's path, not only catalogs the server refuses.
    expect(Object.keys(reached).sort()).toEqual([
      "api-key",
      "attempt-rate",
      "connection-cap",
      "heartbeat",
      "message-rate",
      "recheck",
      "revocation",
      "slow-consumer",
    ]);
  }, 300_000);
});
