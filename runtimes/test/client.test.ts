import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, expectConformance } from "../../packages/rxjs/test/conformance/expectations";
import { type ScenarioServer, startScenarioServer } from "../../packages/rxjs/test/conformance/server";
import { binary, runToEnd } from "./runtime";

/*
 * The client conformance suite (every directive, every layer, the first-use bugs) on Bun's and
 * Deno's own WebSocket: the RxJS connection as a browser bundle gets it, run by the runtime itself
 * against the Node scenario server. A standard WebSocket cannot see a refused upgrade's status, so
 * the browser expectations apply (the catalog's browser fallback close tells the error).
 */
describe("client conformance on the runtimes' native WebSocket", () => {
  let server: ScenarioServer;
  let dir: string;
  let script: string;
  beforeAll(async () => {
    server = await startScenarioServer();
    dir = mkdtempSync(join(tmpdir(), "ws-errors-client-"));
    const bundle = await build({
      entryPoints: [join(import.meta.dirname, "..", "..", "packages", "rxjs", "test", "conformance", "browser-entry.ts")],
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      target: "es2022",
      conditions: ["ws-errors-source"],
    });
    script = join(dir, "conformance.mjs");
    writeFileSync(
      script,
      `${bundle.outputFiles[0]?.text}
const args = globalThis.Deno ? Deno.args : process.argv.slice(2);
const results = await globalThis.runConformance(args[0], args[1], args[2]);
console.log("RESULTS " + JSON.stringify({ ...results, hasNativeWebSocket: typeof WebSocket === "function" }));
globalThis.Deno ? Deno.exit(0) : process.exit(0);
`,
    );
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ["bun", [] as string[]],
    ["deno", ["run", "--allow-net"]],
  ] as const)(
    "%s: the RxJS connection over the runtime's own WebSocket passes the browser expectations",
    async (runtime, flags) => {
      const refused = `ws://127.0.0.1:${await closedPort()}/`;
      const out = await runToEnd(binary(runtime), [...flags, script, server.url, runtime, refused], 45_000);
      const line = out.split("\n").find((l) => l.startsWith("RESULTS "));
      expect(line, out).toBeDefined();
      const results = JSON.parse((line as string).slice("RESULTS ".length)) as Record<string, unknown>;
      expect(results.hasNativeWebSocket).toBe(true);
      expectConformance(results, { browser: true });
      expect(server.seen(`${runtime}-busy`).messages).toBe(2);
    },
    60_000,
  );
});
