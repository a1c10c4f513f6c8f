import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/*
 * `pnpm demo:bun` and `pnpm demo:deno`: the same walkthrough against the seed APIs served from Bun
 * and Deno by the same engine. Every line a client printed (each error's class, kind, layer, code
 * and the catalog's decision) matches the walkthrough against Node's servers, numbers aside
 * (ports, prices, sequence ids, delays).
 */
const main = join(import.meta.dirname, "..", "src", "main.ts");
const run = (env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", main], { timeout: 90_000, env: { ...process.env, ...env } }).then(({ stdout }) =>
    stdout
      .split("\n")
      .slice(1)
      .map((line) => line.replace(/\d+(\.\d+)?/g, "N")),
  );

describe("the walkthrough on every server runtime", () => {
  it("Bun and Deno serve the seed APIs wire-identically to Node: the same errors, layers and decisions, and exit 0", async () => {
    // One after another: the walkthrough's clocks are fast, and three at once on two cores skew them.
    const node = await run({});
    const bun = await run({ DEMO_RUNTIME: "bun" });
    const deno = await run({ DEMO_RUNTIME: "deno" });
    expect(node.filter((line) => / → /.test(line)).length).toBeGreaterThan(15);
    expect(bun).toEqual(node);
    expect(deno).toEqual(node);
  }, 120_000);
});
