import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { createCodec, decide, getPath, parsePath, retryDelayMs, type Codec, type DetailType, type EntrySpec, type WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { infoway } from "@ws-errors/core/catalogs/infoway";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { tickdbLegacy } from "@ws-errors/core/catalogs/tickdb-legacy";
import { BUNDLED_DIR, catalogWarnings, defaultClassName, generate, loadCatalogFile, loadCatalogText, runCli, toAsyncApi, type CliIo } from "@ws-errors/codegen";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BannedError, beacon, TooFastError } from "./catalogs/generated/beacon";
import { BannedError as MurmurBannedError, FloodError, MissingFieldError, murmur } from "./catalogs/generated/murmur";
import { BadDateError, MissingFilterError, ParseError, ThrottledError, quarry } from "./catalogs/generated/quarry";

const DIR = resolve(import.meta.dirname, "catalogs");
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

function io(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { cwd, out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin: async () => "" };
}

const frame = (value: Record<string, unknown>) => JSON.stringify(value);

describe("format 2 test catalogs", () => {
  it("lint clean, without warnings, from the folder's config", async () => {
    const run = io(DIR);
    expect(await runCli(["lint"], run)).toBe(0);
    expect(run.out.join("")).toContain(`${FILES.length} catalogs OK`);
    // Murmur and quarry throttle only in frames, as their APIs do: an attemptRate policy could not
    // refuse an upgrade with them, and lint says so by name (a server with one would not start).
    expect(
      run.err
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => line.replace(/^.*\/(\w+\.yaml)/, "$1")),
    ).toEqual([
      'murmur.yaml: warning: if a server uses attemptRate: the attempt-rate policy refuses an upgrade over the attempt limit with "slow-down", which has no upgrade, close or browserFallback layer to say it on',
      'quarry.yaml: warning: if a server uses attemptRate: the attempt-rate policy refuses an upgrade over the attempt limit with "throttled", which has no upgrade, close or browserFallback layer to say it on',
    ]);
  });

  it("generate what is committed, byte for byte (generate --check)", async () => {
    const run = io(DIR);
    expect(await runCli(["generate", "--check"], run), run.err.join("")).toBe(0);
  });

  it("show the new fields on the reference page and in the AsyncAPI export", () => {
    const load = (name: string) => {
      const result = loadCatalogFile(join(DIR, name));
      if (!result.ok) throw new Error(result.problems.map((p) => p.message).join("\n"));
      return result;
    };
    const pages = Object.fromEntries(
      generate(FILES.map(load))
        .filter((f) => f.kind === "docs")
        .map((f) => [f.name, f.content]),
    );
    expect(pages["beacon.md"]).toContain("`TOO_FAST`");
    expect(pages["beacon.md"]).toMatch(/aliases.*`429`.*`SLOW_DOWN`/);
    expect(pages["beacon.md"]).toMatch(/at once/);
    expect(pages["murmur.md"]).toContain("`{field} is required`");
    expect(pages["murmur.md"]).toMatch(/whatever the close code/);
    expect(pages["murmur.md"]).toMatch(/may follow its error frame/);
    expect(pages["murmur.md"]).toMatch(/oldest pending request/);
    expect(pages["quarry.md"]).toContain("`error.data.subcode` is `1`");
    const api = toAsyncApi(load("beacon.yaml").spec) as { components: { messages: Record<string, { payload: { properties: Record<string, unknown> } }> } };
    expect(api.components.messages.TooFastError?.payload.properties.error).toEqual({ const: "TOO_FAST" });
    expect(api.components.messages.TooFastError?.payload.properties.code).toMatchObject({ enum: [4290, 429, "SLOW_DOWN"] });
    const murmurApi = JSON.stringify(toAsyncApi(load("murmur.yaml").spec));
    expect(murmurApi).toContain('"x-ws-template":"{field} is required"');
    expect(murmurApi).toContain('"anyCode":true');
  });
});

describe("several wire identifiers per entry (beacon)", () => {
  it("reads a code and a label, either alone, a number sent as text, and aliases", () => {
    const cases: Record<string, unknown>[] = [
      { type: "error", code: 4290, error: "TOO_FAST", message: "slow down", info: { retry_ms: 250 } },
      { type: "error", code: 4290, message: "slow down" },
      { type: "error", error: "TOO_FAST", message: "slow down" },
      { type: "error", code: "4290", message: "slow down" },
      { type: "error", code: 429, message: "slow down" },
      { type: "error", code: "SLOW_DOWN", message: "slow down" },
    ];
    for (const value of cases) expect(beacon.decodeFrame(frame(value))?._tag, JSON.stringify(value)).toBe("beacon/too-fast");
    expect(beacon.decodeFrame(frame(cases[0]!))?.details).toEqual({ retry_ms: 250 });
  });

  it("reads a numeric detail sent as text as the number, and waits as it says (it was dropped, so the client waited its default)", () => {
    const error = beacon.decodeFrame(frame({ type: "error", code: 4290, message: "slow down", info: { retry_ms: "250" } }));
    expect(error?.details).toEqual({ retry_ms: 250 });
    expect(retryDelayMs(error as WsError)).toBe(250);
    // Text that is not a number of the field's type is still left out, never guessed at.
    for (const retry_ms of ["250ms", "2.5", "", " 250", "0x10", true]) {
      expect(beacon.decodeFrame(frame({ type: "error", code: 4290, message: "slow down", info: { retry_ms } }))?.details, String(retry_ms)).toEqual({});
    }
  });

  it("lets the code win over a label that names another entry, keeping both as sent in wire", () => {
    const error = beacon.decodeFrame(frame({ type: "error", code: 4290, error: "BAD_TOKEN", message: "slow down" }));
    expect(error).toMatchObject({ id: "too-fast", wire: { code: 4290, label: "BAD_TOKEN" } });
    // A code the catalog does not list: the label decides.
    expect(beacon.decodeFrame(frame({ type: "error", code: 1, error: "BAD_TOKEN", message: "no" }))?.id).toBe("bad-token");
  });

  it("writes the canonical code and the label, and both writers agree", () => {
    const error = new TooFastError({ details: { retry_ms: 100 }, requestId: 9 });
    expect(beacon.encodeFrame(error)).toEqual({ type: "error", code: 4290, error: "TOO_FAST", message: "Too many messages.", req: 9, info: { retry_ms: 100 } });
    expect(JSON.parse(beacon.encodeFrameText(error))).toEqual(beacon.encodeFrame(error));
  });

  it("treats numeric codes sent as text the same in entries, ranges and fallbacks; negative codes too", () => {
    expect(beacon.decodeFrame(frame({ type: "error", code: "-32001" }))?._tag).toBe("beacon/overloaded");
    const unknown = beacon.decodeFrame(frame({ type: "error", code: "-32050", message: "?" }));
    expect([unknown?._tag, unknown?.kind, unknown?.code]).toEqual(["beacon/uncatalogued", "internal", "-32050"]);
    expect(beacon.decodeFrame(frame({ type: "error", code: "4551" }))?.kind).toBe("service-unavailable");
  });

  it("applies one fallback range to frames and closes alike", () => {
    const fromFrame = beacon.decodeFrame(frame({ type: "error", code: 4551 }));
    const fromClose = beacon.decodeClose({ code: 4550, reason: "maintenance" });
    for (const error of [fromFrame, fromClose]) expect([error?.kind, error?.retry.directive]).toEqual(["service-unavailable", "reconnect"]);
  });

  it("lets the upgrade body's code pick the entry when one status stands for several", () => {
    const refused = (body: unknown, status = 400) => beacon.decodeUpgrade({ status, headers: {}, body: JSON.stringify(body) });
    expect(refused({ code: 4030, message: "banned", info: { ban_s: 60 } })).toMatchObject({ _tag: "beacon/banned", details: { ban_s: 60 } });
    expect(refused({ code: 4010 })?._tag).toBe("beacon/bad-token");
    expect(refused({ code: 4290 })?._tag).toBe("beacon/too-fast");
    expect(refused({ code: "4010" }, 503)?._tag).toBe("beacon/bad-token");
    expect(beacon.decodeUpgrade({ status: 400, headers: {}, body: "" })?._tag).toBe("beacon/uncatalogued");
    expect(JSON.parse(beacon.encodeUpgrade(new BannedError({ details: { ban_s: 5 } })).body)).toMatchObject({ code: 4030, info: { ban_s: 5 } });
  });
});

describe("retry timing as APIs state it (beacon)", () => {
  const context = { reconnect: {}, answersRequest: false, canRefresh: false, canResume: true, random: () => 0.99 };
  it("reconnects at once when the delay replaces the backoff, whatever the attempt", () => {
    const moved = beacon.decodeClose({ code: 4120, reason: "moved" })!;
    for (const attempt of [0, 5, 20]) expect(decide(moved, { ...context, attempt }).delayMs).toBe(0);
  });

  it("keeps a field's delay as a floor under the backoff otherwise", () => {
    const banned = beacon.decodeUpgrade({ status: 400, headers: {}, body: JSON.stringify({ code: 4030, info: { ban_s: 60 } }) })!;
    expect(retryDelayMs(banned)).toBe(60_000);
    expect(decide(banned, { ...context, attempt: 0 })).toMatchObject({ action: "reconnect", delayMs: 60_000 });
  });
});

describe('a delay drawn from a window ("wait a random 1 to 5 seconds")', () => {
  const text = readFileSync(join(import.meta.dirname, "catalogs", "beacon.yaml"), "utf8").replace(
    "retry: { directive: retry-later, delay: { field: retry_ms, unit: milliseconds } }",
    "retry: { directive: retry-later, delay: { window: { fromMs: 1000, toMs: 5000 } } }",
  );
  const loaded = loadCatalogText(text, "window.yaml");
  const codec = createCodec(loaded.ok ? loaded.spec : (undefined as never));
  const slow = () => codec.decodeFrame(frame({ type: "error", code: 4290, message: "slow down" }))!;

  it("is drawn per error within the window, and a client waits it before retrying", () => {
    expect(loaded.ok).toBe(true);
    expect([0, 0.5, 1].map((r) => retryDelayMs(slow(), Date.now(), () => r))).toEqual([1000, 3000, 5000]);
    const context = { reconnect: {}, answersRequest: true, canRefresh: false, canResume: false, attempt: 0 };
    expect(decide(slow(), { ...context, random: () => 0.25 })).toMatchObject({ action: "retry-later", delayMs: 2000 });
    for (let i = 0; i < 50; i++) {
      const ms = retryDelayMs(slow()) as number;
      expect(ms >= 1000 && ms <= 5000, String(ms)).toBe(true);
    }
    expect(codec.catalog.errors.find((e) => e.id === "too-fast")?.retry.delay).toEqual({ window: { fromMs: 1000, toMs: 5000 } });
  });

  it("is refused by lint when empty or given beside another source", () => {
    const empty = loadCatalogText(text.replace("fromMs: 1000, toMs: 5000", "fromMs: 5000, toMs: 1000"), "window.yaml");
    expect(empty.ok ? [] : empty.problems.map((p) => p.message)).toContain("the window is empty: fromMs (5000) is above toMs (1000)");
    const both = loadCatalogText(text.replace("delay: { window:", "delay: { ms: 5, window:"), "window.yaml");
    expect(both.ok ? [] : both.problems.map((p) => p.message)).toContain("give exactly one of header, field, ms or window (got ms, window)");
  });
});

describe("a close reason read into details while the code decides the entry", () => {
  const text = readFileSync(join(import.meta.dirname, "catalogs", "beacon.yaml"), "utf8").replace(
    "close: { code: 4030, reason: banned }",
    'close: { code: 4030, reason: "banned for {ban_s} s" }',
  );
  const loaded = loadCatalogText(text, "reason.yaml");
  const codec = createCodec(loaded.ok ? loaded.spec : (undefined as never));
  const Banned = () => codec.classes.banned as new (init?: object) => WsError;

  it("captures the placeholders, and the delay read from them is waited", () => {
    expect(loaded.ok ? [] : loaded.problems).toEqual([]);
    const error = codec.decodeClose({ code: 4030, reason: "banned for 90 s" });
    expect(error).toMatchObject({ id: "banned", details: { ban_s: 90 } });
    expect(retryDelayMs(error as WsError)).toBe(90_000);
    // The code alone still decides: any other reason is the same entry, without details.
    expect(codec.decodeClose({ code: 4030, reason: "go away" })).toMatchObject({ id: "banned", details: {} });
  });

  it("writes the reason filled, or the summary when the details are missing (never {ban_s})", () => {
    const Ctor = Banned();
    expect(codec.encodeClose(new Ctor({ details: { ban_s: 5 } }))).toEqual({ code: 4030, reason: "banned for 5 s" });
    expect(codec.encodeClose(new Ctor())).toEqual({ code: 4030, reason: "The key is banned for a while." });
  });

  it("is checked by lint like any template: a placeholder names a detail field", () => {
    const bad = loadCatalogText(text.replace("banned for {ban_s} s", "banned for {minutes} m"), "reason.yaml");
    expect(bad.ok ? [] : bad.problems.map((p) => p.message).join("\n")).toContain("minutes");
  });
});

describe("entries matched by message text (murmur)", () => {
  const error = (text: string, action = "send") => murmur.decodeFrame(frame({ event: "error", action, text }));
  it("captures the variable parts into typed details", () => {
    expect(error("channel is required")).toMatchObject({ _tag: "murmur/missing-field", details: { field: "channel" }, command: "send" });
    expect(error("unknown message type: wave")).toMatchObject({ _tag: "murmur/unknown-action", details: { type: "wave" } });
    expect(error("message too long: 900 > 500 characters")).toMatchObject({ _tag: "murmur/too-long", details: { length: 900, max: 500 } });
    expect(retryDelayMs(error("rate limit: retry in 3 seconds")!)).toBe(3000);
  });

  it("does not match when a typed part is not of its type, or the text differs", () => {
    expect(error("message too long: many > 500 characters")?._tag).toBe("murmur/uncatalogued");
    expect(error("Channel Is Required!")?._tag).toBe("murmur/uncatalogued");
  });

  it("writes the message from the template and the details", () => {
    const missing = new MissingFieldError({ details: { field: "channel" } });
    expect(missing.message).toBe("channel is required");
    expect(murmur.encodeFrame(missing, { command: "send" })).toEqual({ event: "error", action: "send", text: "channel is required" });
    expect(murmur.decodeFrame(murmur.encodeFrameText(missing))?.details).toEqual({ field: "channel" });
  });

  it("writes a message of its own that does not fit the template as the template, so it still decodes as its entry (it wrote the message, decoded as uncatalogued)", () => {
    const custom = new MissingFieldError({ message: "Please name a channel.", details: { field: "channel" } });
    for (const wire of [murmur.encodeFrame(custom), JSON.parse(murmur.encodeFrameText(custom)) as Record<string, unknown>]) {
      expect(wire).toMatchObject({ text: "channel is required" });
      expect(murmur.decodeFrame(wire)).toMatchObject({ _tag: "murmur/missing-field", details: { field: "channel" } });
    }
    // A message that fits the template is written as it is.
    const fits = new MissingFieldError({ message: "symbol is required", details: { field: "channel" } });
    expect(murmur.encodeFrameText(fits)).toContain('"text":"symbol is required"');
  });

  it("writes no request id in error replies of an uncorrelated dialect", () => {
    expect(murmur.encodeFrame(new MissingFieldError({ details: { field: "x" }, requestId: 5 }))).not.toHaveProperty("nonce");
    expect(murmur.encodeFrameText(new MissingFieldError({ details: { field: "x" } }), { requestId: 5 })).not.toContain("5");
  });
});

describe("closes as APIs really do them (murmur)", () => {
  it("matches a reason whatever the code, several entries sharing 1008 told apart by reason", () => {
    expect(murmur.decodeClose({ code: 1008, reason: "kicked by a moderator" })?._tag).toBe("murmur/kicked");
    expect(murmur.decodeClose({ code: 4000, reason: "kicked by a moderator" })?._tag).toBe("murmur/kicked");
    expect(murmur.decodeClose({ code: 1008, reason: "banned for 30 seconds" })).toMatchObject({ _tag: "murmur/banned", details: { seconds: 30 } });
    expect(murmur.decodeClose({ code: 1008, reason: "something else" })).toMatchObject({ _tag: "murmur/uncatalogued", kind: "permission-denied" });
    expect(murmur.encodeClose(new MurmurBannedError({ details: { seconds: 30 } }))).toEqual({ code: 1008, reason: "banned for 30 seconds" });
  });

  it("gives a close its own retry semantics, apart from the entry's frame", () => {
    const asFrame = murmur.decodeFrame(frame({ event: "error", text: "flood detected, slow down" }));
    const asClose = murmur.decodeClose({ code: 4008, reason: "flood" });
    expect([asFrame?._tag, asFrame?.retry.directive]).toEqual(["murmur/flood", "retry-later"]);
    expect([asClose?._tag, asClose?.retry.directive, asClose?.retry.delay]).toEqual(["murmur/flood", "reconnect", { ms: 2000 }]);
    expect(murmur.entryOf(new FloodError())?.close?.optional).toBe(true);
  });
});

describe("one code, several errors (quarry)", () => {
  const rpc = (error: Record<string, unknown>) => frame({ jsonrpc: "2.0", id: 3, error });
  it("tells them apart by a sub-code, falling back to the entry without one", () => {
    expect(quarry.decodeFrame(rpc({ code: -32602, message: "x", data: { subcode: 1 } }))?._tag).toBe("quarry/bad-symbol");
    expect(quarry.decodeFrame(rpc({ code: -32602, message: "x", data: { subcode: 2 } }))?._tag).toBe("quarry/bad-range");
    expect(quarry.decodeFrame(rpc({ code: -32602, message: "x" }))?._tag).toBe("quarry/bad-params");
    expect(quarry.decodeFrame(rpc({ code: "-32602", message: "x", data: { subcode: 9 } }))?._tag).toBe("quarry/bad-params");
  });

  it("tells them apart by the message, and captures from it", () => {
    expect(quarry.decodeFrame(rpc({ code: -32000, message: "server busy, retry in 5s" }))).toMatchObject({ _tag: "quarry/busy", details: { seconds: 5 } });
    expect(quarry.decodeFrame(rpc({ code: -32000, message: "cursor c-17 expired" }))).toMatchObject({
      _tag: "quarry/stale-cursor",
      details: { cursor: "c-17" },
    });
    expect(quarry.decodeFrame(rpc({ code: -32000, message: "disk on fire" }))).toMatchObject({ _tag: "quarry/uncatalogued", code: -32000 });
  });

  it("writes the sub-code and per-entry constants of the entry it encodes", () => {
    const badRange = new quarry.classes["bad-range"]!({ requestId: 4 });
    expect(quarry.encodeFrame(badRange)).toMatchObject({ id: 4, error: { code: -32602, data: { subcode: 2 } } });
    expect(JSON.parse(quarry.encodeFrameText(new ThrottledError({ requestId: 1 })))).toMatchObject({ error: { code: -32029, data: { retryable: true } } });
  });
});

describe("nested fields in multi-error lists (quarry)", () => {
  it("reads each item's code at extensions.code", () => {
    const errors = quarry.decodeFrameErrors(
      frame({
        type: "invalid",
        id: 4,
        errors: [
          { message: "bad date", path: "filter.from", extensions: { code: "BAD_DATE" } },
          { message: "need a filter", extensions: { code: "MISSING_FILTER" } },
        ],
      }),
    );
    expect(errors.map((e) => [e._tag, e.field, e.requestId])).toEqual([
      ["quarry/bad-date", "filter.from", 4],
      ["quarry/missing-filter", undefined, 4],
    ]);
  });

  it("writes them back nested, one error or several, in the entry's own form", () => {
    const both = quarry.encodeFrame([new BadDateError({ field: "filter.to", requestId: 2 }), new MissingFilterError()]);
    expect(both).toEqual({
      type: "invalid",
      id: 2,
      errors: [
        { extensions: { code: "BAD_DATE" }, path: "filter.to", message: "A date in the query is not valid." },
        { extensions: { code: "MISSING_FILTER" }, message: "The query needs a filter." },
      ],
    });
    const one = quarry.encodeFrameText(new BadDateError({ requestId: 3 }));
    expect(quarry.decodeFrame(one)?._tag).toBe("quarry/bad-date");
  });
});

describe("bugs of format 1, each failing before its fix", () => {
  it("encodeFrame and encodeFrameText agree when a constant and the request id share a path (JSON-RPC's id: null)", () => {
    const parse = new ParseError();
    expect(quarry.encodeFrame(parse)).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error." } });
    expect(JSON.parse(quarry.encodeFrameText(parse))).toEqual(quarry.encodeFrame(parse));
  });

  it("a catalog without frame forms fails lint, and encoding explains itself instead of a TypeError", () => {
    const empty = createCodec({ ...quarry.catalog, name: "empty", dialect: { ...quarry.catalog.dialect, frames: [] } });
    const error = new empty.classes.busy!();
    expect(() => empty.encodeFrame(error)).toThrow(/has no error-frame form \(dialect.frames is empty\)/);
  });

  it("ids ending in error do not give ParseErrorError", () => {
    expect(ParseError.name).toBe("ParseError");
    expect(defaultClassName("parse-error")).toBe("ParseError");
    expect(defaultClassName("too-many-requests")).toBe("TooManyRequestsError");
  });
});

describe("the kind ⇄ directive check follows real APIs", () => {
  it("warns with the reason instead of refusing, and retry.because silences it", () => {
    const text = readFileSync(join(DIR, "beacon.yaml"), "utf8");
    const without = text.replace(/\n {6}because: .*\n/, "\n");
    const result = loadCatalogText(without, "beacon.yaml");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(catalogWarnings(result.spec)).toEqual([
      expect.stringMatching(
        /errors\[2\] \(banned\): directive "reconnect" is unusual for kind "permission-denied".*retrying without a change of permissions rarely succeeds.*retry\.because/,
      ),
    ]);
    const original = loadCatalogText(text, "beacon.yaml");
    expect(original.ok && catalogWarnings(original.spec)).toEqual([]);
  });
});

const BUNDLED = { collective2, "esca-rates": escaRates, infoway, tickdb, "tickdb-legacy": tickdbLegacy };
const ALL = { ...BUNDLED, beacon, murmur, quarry } as unknown as Record<string, Codec<WsError>>;

const DETAIL: Record<DetailType, fc.Arbitrary<unknown>> = {
  string: fc.string({ maxLength: 8 }),
  integer: fc.integer(),
  number: fc.double({ noNaN: true, noDefaultInfinity: true }),
  boolean: fc.boolean(),
  "string[]": fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
  "object[]": fc.array(fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }), { maxLength: 2 }),
};

function details(entry: EntrySpec): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(Object.entries(entry.details).map(([name, d]) => [name, DETAIL[d.type]])), { requiredKeys: [] });
}

describe("the two frame writers produce the same frame (property)", () => {
  for (const [name, codec] of Object.entries(ALL)) {
    it(`for every frame entry of ${name}`, () => {
      const entries = codec.catalog.errors.filter((e) => e.frame);
      const arbitrary = fc.constantFrom(...entries).chain((entry) =>
        fc.record({
          entry: fc.constant(entry),
          details: details(entry),
          // Any UTF-16 text, lone surrogates and control characters included: the writers escape them alike.
          message: fc.option(fc.string({ maxLength: 12, unit: "binary" }), { nil: undefined }),
          field: fc.option(fc.string({ maxLength: 6, unit: "binary" }), { nil: undefined }),
          requestId: fc.option(fc.oneof(fc.integer({ min: 0 }), fc.string({ maxLength: 6, unit: "binary" })), { nil: undefined }),
          command: fc.option(fc.string({ maxLength: 6, unit: "binary" }), { nil: undefined }),
          defaults: fc.boolean(),
        }),
      );
      fc.assert(
        fc.property(arbitrary, ({ entry, details, message, field, requestId, command, defaults }) => {
          const error = new codec.classes[entry.id]!({ details, ...(message !== undefined && { message }), ...(field !== undefined && { field }) });
          // Half the runs with the default clock and ids, which the writer renders from caches: the
          // object form is then built with the stamps the text got.
          const fixed = { now: () => 1_700_000_000_000, messageId: () => "msg_1" };
          const text = codec.encodeFrameText(error, defaults ? { requestId, command } : { requestId, command, ...fixed });
          const written = JSON.parse(text) as Record<string, unknown>;
          const stamped = Object.fromEntries(
            codec.catalog.dialect.frames.flatMap((f) => Object.entries(f.stamps ?? {})).map(([path, stamp]) => [stamp, getPath(written, parsePath(path)!)]),
          );
          const same = defaults
            ? {
                now: () =>
                  typeof stamped["unix-ms"] === "number" ? stamped["unix-ms"] : Date.parse(String(stamped["iso-timestamp"] ?? "1970-01-01T00:00:00Z")),
                messageId: () => String(stamped["message-id"]),
              }
            : fixed;
          expect(written).toEqual(JSON.parse(JSON.stringify(codec.encodeFrame(error, { requestId, command, ...same }))));
          // Well-formed JSON text, as JSON.stringify writes it: lone surrogates escaped, not raw.
          expect(text).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
        }),
        { numRuns: 400 },
      );
    });
  }
});

describe("the lean runtime loses nothing", () => {
  it("each bundled module with its .reference module is the whole catalog, as loaded from YAML", async () => {
    const { withReference } = await import("@ws-errors/core");
    for (const name of ["collective2", "esca-rates", "infoway", "tickdb", "tickdb-legacy"]) {
      const runtime = (await import(`@ws-errors/core/catalogs/${name}`)) as Record<string, Codec<WsError>>;
      const reference = (await import(`@ws-errors/core/catalogs/${name}.reference`)) as Record<string, import("@ws-errors/core").CatalogReference>;
      const codec = Object.values(runtime).find((v) => typeof v === "object" && v !== null && "decodeFrame" in v) as Codec<WsError>;
      const loaded = loadCatalogFile(join(BUNDLED_DIR, `${name}.yaml`));
      if (!loaded.ok) throw new Error(name);
      expect(
        codec.catalog.errors.some((e) => e.description !== undefined || e.guidance !== undefined),
        name,
      ).toBe(false);
      expect(withReference(codec.catalog, Object.values(reference)[0]!), name).toEqual(loaded.spec);
    }
  });
});

describe("the close a server falls back to", () => {
  it("warns when an entry a server ends connections for would be read as another entry", () => {
    // Collective2's unauthorized entry closes with its browser fallback (4401); without it a server
    // closes with 1008, which this catalog gives to too-many-connections.
    const text = readFileSync(join(BUNDLED_DIR, "collective2.yaml"), "utf8");
    expect(text).toContain("browserFallback: { code: 4401, reason: Invalid API key }");
    const without = loadCatalogText(text.replace("    browserFallback: { code: 4401, reason: Invalid API key }\n", ""), "collective2.yaml");
    expect(without.ok).toBe(true);
    if (!without.ok) return;
    expect(catalogWarnings(without.spec)).toEqual([
      'errors[0] (unauthorized): a server that ends a connection for it (kind "unauthenticated") closes with 1008, which this catalog reads as "too-many-connections" (connection-limit, free-connection); give it a close or a browserFallback',
      'if a server uses recheck: the recheck policy ends a connection whose credentials no longer pass with "unauthorized", which has no close or browserFallback layer: its bare 1008 would read as "too-many-connections"',
      'if a server uses revocation: the revocation policy ends the connections of a revoked key with "unauthorized", which has no close or browserFallback layer: its bare 1008 would read as "too-many-connections"',
    ]);
    const original = loadCatalogText(text, "collective2.yaml");
    expect(original.ok && catalogWarnings(original.spec)).toEqual([]);
  });
});
