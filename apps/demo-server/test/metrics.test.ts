import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoProcess, type DemoProcess } from "../src/process";

/* `METRICS=1 pnpm demo:server`: the demo as an operator runs it, in its own process, scraped over
   HTTP at /metrics on its own port while clients are refused, connect and are answered. */

let demo: DemoProcess;
beforeAll(async () => {
  demo = await startDemoProcess({ METRICS: "1" });
});
afterAll(() => demo.stop());

const scrape = async () => (await fetch(`http://127.0.0.1:${demo.port}/metrics`)).text();
const sample = (text: string, name: string, labels: string[]) =>
  text
    .split("\n")
    .find((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
    ?.split(" ")
    .at(-1);

describe("METRICS=1 pnpm demo:server", () => {
  it("says where its metrics are, and serves them in Prometheus' text format, by entry and layer", async () => {
    expect(demo.output()).toContain(`metrics at http://127.0.0.1:${demo.port}/metrics`);
    const refused = new WebSocket(`ws://127.0.0.1:${demo.port}/esca/v1/rates`, { headers: { "x-api-key": "not-a-key" } });
    expect(await new Promise((resolve) => refused.on("unexpected-response", (_q, res) => resolve(res.statusCode)))).toBe(401);
    const ws = new WebSocket(`ws://127.0.0.1:${demo.port}/esca/v1/rates`, { headers: { "x-api-key": "demo-key" } });
    await new Promise((resolve) => ws.on("open", resolve));
    const answered = new Promise((resolve) => ws.once("message", resolve));
    ws.send("{not json");
    await answered;
    const text = await scrape();
    expect(text).toContain("# TYPE ws_errors_server_errors_total counter");
    expect(sample(text, "ws_errors_server_upgrades_total", ['ws_errors_catalog="esca-rates"', 'ws_errors_outcome="refused"', 'error_type="auth-failed"'])).toBe(
      "1",
    );
    expect(sample(text, "ws_errors_server_errors_total", ['ws_errors_catalog="esca-rates"', 'error_type="invalid-message"', 'ws_errors_layer="frame"'])).toBe(
      "1",
    );
    expect(sample(text, "ws_errors_server_connections", ['ws_errors_catalog="esca-rates"'])).toBe("1");
    ws.close();
  });
});
