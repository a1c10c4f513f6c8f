import { runCli, type CliIo } from "@ws-errors/codegen";
import { describe, expect, it } from "vitest";
import { FRAME_EXAMPLES } from "../../packages/core/test/fixtures/seed-examples";

function io(stdin = ""): CliIo & { out: () => string; err: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    cwd: process.cwd(),
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stdin: async () => stdin,
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

describe("ws-errors decode", () => {
  it.each(FRAME_EXAMPLES.map((e) => [e.catalog, e] as const))("prints the class of a %s seed frame", async (catalog, example) => {
    const run = io();
    expect(await runCli(["decode", "--catalog", catalog, example.text], run)).toBe(0);
    const printed = JSON.parse(run.out()) as { error?: { class: string }; errors?: { class: string }[] };
    const classes = printed.errors ? printed.errors.map((e) => e.class) : [printed.error?.class];
    expect(classes).toEqual(example.expect.map((e) => e.className));
  });

  it("reads standard input with -", async () => {
    const run = io('{"cmd":"subscribe","code":4001,"message":"bad cmd"}');
    expect(await runCli(["decode", "--catalog", "tickdb", "-"], run)).toBe(0);
    expect(JSON.parse(run.out())).toMatchObject({
      error: { class: "UnknownCommandError", kind: "unknown-command", command: "subscribe", retry: { directive: "stop" } },
    });
  });

  it('prints {"error": null} for a frame that is not an error', async () => {
    const run = io();
    expect(await runCli(["decode", "--catalog", "tickdb", '{"cmd":"subscribe","code":0,"message":"success","data":{}}'], run)).toBe(0);
    expect(JSON.parse(run.out())).toEqual({ error: null });
  });

  it("decodes closes and upgrade responses", async () => {
    const close = io();
    expect(await runCli(["decode", "--catalog", "collective2", "--layer", "close", '{"code":1000,"reason":"Ping timeout"}'], close)).toBe(0);
    expect(JSON.parse(close.out())).toMatchObject({
      error: { class: "PingTimeoutError", kind: "slow-consumer", retry: { directive: "resume" }, closeCode: 1000 },
    });
    const upgrade = io();
    const input = JSON.stringify({ status: 401, headers: { "X-WS-Error": "Invalid API key" }, body: '{"code":"UNAUTHORIZED","message":"Invalid API key"}' });
    expect(await runCli(["decode", "--catalog", "collective2", "--layer", "upgrade", input], upgrade)).toBe(0);
    expect(JSON.parse(upgrade.out())).toMatchObject({ error: { class: "UnauthorizedError", status: 401, retry: { directive: "stop" } } });
  });

  it.each([
    ["frame", "not json at all", /input is not JSON/],
    ["close", '"1000"', /must be a JSON object/],
    ["close", '{"code":"x"}', /needs an integer "code"/],
    ["upgrade", '{"headers":{}}', /needs an integer "status"/],
  ])("rejects garbage on the %s layer with a message and exit 1: %s", async (layer, input, message) => {
    const run = io();
    expect(await runCli(["decode", "--catalog", "esca", "--layer", layer, input], run)).toBe(1);
    expect(run.err()).toMatch(message);
    expect(run.err()).not.toMatch(/\n\s+at /);
    expect(run.out()).toBe("");
  });

  it("names the bundled catalogs when the catalog does not exist", async () => {
    const run = io();
    expect(await runCli(["decode", "--catalog", "nope", "{}"], run)).toBe(1);
    expect(run.err()).toContain("bundled: collective2, esca-rates, infoway, tickdb-legacy, tickdb");
  });
});

describe("ws-errors lint and docs", () => {
  it("lints the bundled catalogs clean", async () => {
    const run = io();
    expect(await runCli(["lint", "catalogs/collective2.yaml", "catalogs/tickdb.yaml"], { ...run, cwd: `${process.cwd()}` })).toBe(0);
    expect(run.out()).toContain("2 catalogs OK");
  });

  it("prints the reference page", async () => {
    const run = io();
    expect(await runCli(["docs", "--catalog", "tickdb-legacy"], run)).toBe(0);
    expect(run.out()).toContain("| `2003` | Depth subscription unavailable.");
  });

  it("exits 2 with usage on an unknown command", async () => {
    const run = io();
    expect(await runCli(["frobnicate"], run)).toBe(2);
    expect(run.err()).toContain("unknown command");
  });
});
