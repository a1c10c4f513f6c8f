import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogArbitrary } from "./catalog-space/arbitrary";
import { importsBack } from "./catalog-space/imported";

/*
 * `ws-errors import` over catalogs nobody here wrote: the reference page `generate` writes for any
 * catalog, as Markdown or rendered to HTML, imports back to the same entries. Bounded here by a
 * seed and a count; `soak:catalogs` runs many more with a fresh seed. Counterexamples are kept in
 * codegen/test/catalogs/regressions/ (catalog-regressions.test.ts imports each one back too).
 */
const RUNS = Number(process.env.CATALOG_RUNS ?? 20) * 5;
const SEED = process.env.CATALOG_SEED === undefined ? 20261203 : Number(process.env.CATALOG_SEED);

describe("any catalog's reference page, imported again", () => {
  it("gives back every entry: code, kind, directive, layers, scope, summary (Markdown and HTML)", () => {
    fc.assert(
      fc.property(catalogArbitrary(), fc.constantFrom("markdown" as const, "html" as const), (raw, format) => {
        expect(importsBack(raw, format)).toBeUndefined();
      }),
      { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 240_000, markInterruptAsFailure: true },
    );
  }, 300_000);
});
