import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { startDemoServers, type DemoServers } from "@ws-errors/demo-server";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { closedPort, expectConformance } from "./conformance/expectations";
import { startScenarioServer, type ScenarioServer } from "./conformance/server";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
// Under CI a missing browser fails the run; elsewhere the test says why it did not run.
const available = existsSync(CHROMIUM);
const maybe = available || process.env.CI ? describe : describe.skip;

maybe("@ws-errors/rxjs in a real browser (Debian's Chromium, playwright-core)", () => {
  let demo: DemoServers;
  let page: Server;
  let browser: Browser;
  let base: string;
  let scenarios: ScenarioServer;
  let conformance: string;

  beforeAll(async () => {
    if (!available) throw new Error(`Chromium not found at ${CHROMIUM}: .ci/run installs Debian's chromium package`);
    demo = await startDemoServers({ port: 0 });
    const bundle = await build({
      entryPoints: [join(import.meta.dirname, "browser", "entry.ts")],
      bundle: true,
      write: false,
      format: "esm",
      platform: "browser",
      target: "es2022",
      conditions: ["ws-errors-source"],
    });
    const script = bundle.outputFiles[0]!.text;
    scenarios = await startScenarioServer();
    conformance = (
      await build({
        entryPoints: [join(import.meta.dirname, "conformance", "browser-entry.ts")],
        bundle: true,
        write: false,
        format: "esm",
        platform: "browser",
        target: "es2022",
        conditions: ["ws-errors-source"],
      })
    ).outputFiles[0]!.text;
    page = createServer((req, res) => {
      if (req.url === "/app.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(script);
      if (req.url === "/conformance.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(conformance);
      if (req.url === "/conformance")
        return void res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><script type="module" src="/conformance.js"></script>');
      res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><script type="module" src="/app.js"></script>');
    });
    await new Promise<void>((r) => page.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
    // playwright gives every launch a fresh, empty profile directory of its own.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    page?.close();
    await demo?.close();
    await scenarios?.close();
  });

  it("gets typed errors from every layer, including rejected upgrades through the catalog's browser fallback", async () => {
    const tab = await browser.newPage();
    const console_: string[] = [];
    tab.on("console", (m) => console_.push(`${m.type()}: ${m.text()}`));
    tab.on("pageerror", (e) => console_.push(`pageerror: ${e.message}`));
    onTestFailed(() => console.log(console_.join("\n")));
    await tab.goto(base);
    await tab.waitForFunction(() => typeof (globalThis as { runScenarios?: unknown }).runScenarios === "function");
    const results = (await tab.evaluate(
      (url) => (globalThis as unknown as { runScenarios(u: string): Promise<unknown> }).runScenarios(url),
      demo.url,
    )) as Record<string, unknown>;
    expect(results.hasNativeWebSocket).toBe(true);
    // A refused upgrade a browser can only see as a close: typed, with the catalog's directive.
    expect(results.c2Errors).toEqual([
      { name: "UnauthorizedError", kind: "unauthenticated", layer: "close", closeCode: 4401, directive: "stop", message: "Invalid API key" },
    ]);
    expect(results.c2Messages).toMatchObject({ name: "UnauthorizedError" });
    expect(results.escaError).toMatchObject({ name: "AuthFailedError", layer: "close", closeCode: 4001 });
    expect(results.depthIsTyped).toBe(true);
    expect(results.depth).toMatchObject({ name: "DepthUnavailableError", layer: "frame", directive: "stop" });
    expect(results.ticks).toEqual(["AAPL.US", "AAPL.US", "AAPL.US"]);
  }, 30_000);

  it("passes the client conformance suite: the same scenarios and expectations as in Node", async () => {
    const tab = await browser.newPage();
    const console_: string[] = [];
    tab.on("pageerror", (e) => console_.push(`pageerror: ${e.message}`));
    onTestFailed(() => console.log(console_.join("\n")));
    await tab.goto(`${base}conformance`);
    await tab.waitForFunction(() => typeof (globalThis as { runConformance?: unknown }).runConformance === "function");
    const refused = `ws://127.0.0.1:${await closedPort()}/`;
    const results = (await tab.evaluate(
      ([url, r]) =>
        (globalThis as unknown as { runConformance(u: string, id: string, r: string): Promise<Record<string, unknown>> }).runConformance(
          url as string,
          "chromium",
          r as string,
        ),
      [scenarios.url, refused],
    )) as Record<string, unknown>;
    expectConformance(results, { browser: true });
    expect(scenarios.seen("chromium-busy").messages).toBe(2);
  }, 60_000);
});
