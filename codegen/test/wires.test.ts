import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createCodec, decide, HEADER_FRAMES, retryDelayMs, serverDefaults, withGrammar, type FrameGrammar } from "@ws-errors/core";
import fc from "fast-check";
import { catalogWarnings, loadCatalogText } from "@ws-errors/codegen";
import { describe, expect, it } from "vitest";
import { AuthFailedError, courier } from "./catalogs/generated/courier";
import { ledger } from "./catalogs/generated/ledger";
import { NoDestinationError, OverQuotaError, semaphore } from "./catalogs/generated/semaphore";
import { MovedError, switchboard } from "./catalogs/generated/switchboard";
import { BadEventError, JoinCrashedError, relay, UnmatchedTopicError } from "./catalogs/generated/relay";

/* Wires real APIs use that the format first left out: each with its own test catalog in ./catalogs. */

const frame = (value: Record<string, unknown>) => JSON.stringify(value);
const problems = (text: string) => {
  const loaded = loadCatalogText(text, "test.yaml");
  return loaded.ok ? [] : loaded.problems.map((p) => `${p.path}: ${p.message}`);
};

describe("a fallback keyed by another field of the frame (ledger)", () => {
  const text = readFileSync(join(import.meta.dirname, "catalogs", "ledger.yaml"), "utf8");
  const unlisted = (fields: Record<string, unknown>) => ledger.decodeFrame(frame({ type: "error", event_id: "e1", ...fields }));

  it("classifies codes the catalog does not list by their error type or status, in the order written", () => {
    const limited = unlisted({ status: 429, error: { type: "rate_limit_error", code: "events_burst", message: "slow down" } });
    expect([limited?._tag, limited?.code, limited?.kind, limited?.retry]).toEqual([
      "ledger/uncatalogued",
      "events_burst",
      "rate-limited",
      { directive: "retry-later", delay: { ms: 50 } },
    ]);
    expect(unlisted({ status: 401, error: { type: "auth_error", code: "session_gone" } })?.retry.directive).toBe("refresh-credentials");
    // A status sent as text is the number, as codes are; the range covers it.
    expect(unlisted({ status: "503", error: { type: "api_error", code: "shard_down" } })).toMatchObject({
      kind: "service-unavailable",
      retry: { directive: "reconnect" },
    });
    // The type rule comes first: a 503 of type rate_limit_error is rate limiting.
    expect(unlisted({ status: 503, error: { type: "rate_limit_error", code: "x" } })?.kind).toBe("rate-limited");
  });

  it("leaves listed codes to their entries, and anything no rule covers to the built-in default", () => {
    expect(unlisted({ status: 500, error: { type: "rate_limit_error", code: "too_many_events" } })?._tag).toBe("ledger/too-many-events");
    expect(unlisted({ status: 418, error: { type: "teapot_error", code: "short_and_stout" } })).toMatchObject({
      kind: "unknown",
      retry: { directive: "stop" },
    });
    // No status at all, or one of another type, is not read as a code.
    expect(unlisted({ error: { type: "api_error", code: "y" } })?.kind).toBe("unknown");
    expect(unlisted({ status: { code: 503 }, error: { code: "z" } })?.kind).toBe("unknown");
  });

  it("acts on the rule's directive: a request answered with an unlisted rate-limit code is retried after its delay", () => {
    const error = unlisted({ status: 429, error: { type: "rate_limit_error", code: "events_burst" } });
    const context = { reconnect: {}, answersRequest: true, canRefresh: false, canResume: false, attempt: 0 };
    expect(decide(error!, context)).toMatchObject({ action: "retry-later", delayMs: 50 });
  });

  it("reads the same from a catalog loaded at run time as from the generated module", () => {
    const loaded = loadCatalogText(text, "ledger.yaml");
    const codec = createCodec(loaded.ok ? loaded.spec : (undefined as never));
    const sent = frame({ type: "error", status: 502, error: { type: "api_error", code: "upstream" } });
    expect(codec.decodeFrame(sent)?.kind).toBe(ledger.decodeFrame(sent)?.kind);
    expect(codec.catalog.dialect.fallbacks[1]).toMatchObject({ path: "status", codes: [401] });
  });

  it("is refused by lint on another layer, without the values it covers, or through a prototype key", () => {
    const rule = "- { layer: frame, path: status, codes: [401],";
    expect(problems(text.replace(rule, "- { layer: [frame, close], path: status, codes: [401],"))).toContain(
      "dialect.fallbacks[1].path: a fallback keyed by a frame path applies to frames only, not to close: split it into two rules",
    );
    expect(problems(text.replace(rule, "- { layer: frame, path: status,"))).toContain(
      'dialect.fallbacks[1].path: a fallback keyed by "status" needs the values it covers: give codes or a from/to range',
    );
    expect(problems(text.replace(rule, "- { layer: frame, path: __proto__.status, codes: [401],")).join("\n")).toContain("prototype key");
  });
});

describe("a catalog that answers bad input by closing (sluice: dialect.answers)", () => {
  const text = readFileSync(join(import.meta.dirname, "catalogs", "sluice.yaml"), "utf8");
  const spec = (source: string) => {
    const loaded = loadCatalogText(source, "sluice.yaml");
    if (!loaded.ok) throw new Error(loaded.problems.map((p) => p.message).join("\n"));
    return loaded.spec;
  };
  const unnamed = text.replace(/\n {2}answers:\n( {4}\w+: [\w-]+\n)+/, "\n");

  it("gives a server the entries it names, close-only ones included, and lint asks for no frame entries the API does not have", () => {
    expect(Object.fromEntries(Object.entries(serverDefaults(spec(text))).map(([role, entry]) => [role, entry?.id]))).toEqual({
      malformed: "bad-message",
      unknownCommand: "unknown-action",
      internal: "fault",
    });
    expect(catalogWarnings(spec(text))).toEqual([]);
    // Without them, a server would answer with built-in frames this API never sends, and lint says where to name the entries.
    expect(unnamed).not.toContain("answers:");
    expect(serverDefaults(spec(unnamed)).malformed).toBeUndefined();
    expect(catalogWarnings(spec(unnamed)).join("\n")).toContain("name that entry in dialect.answers.malformed");
  });

  it("is refused by lint when it names no entry, one a server cannot send after the upgrade, or one written from details", () => {
    expect(problems(text.replace("malformed: bad-message", "malformed: bad-mesage"))).toContain(
      'dialect.answers.malformed: names no entry: "bad-mesage" is not an id in errors: did you mean "bad-message"?',
    );
    const upgradeOnly = text.replace("    close: { code: 4003, reason: unknown action }", "    upgrade: { status: 400 }");
    expect(problems(upgradeOnly)).toContain(
      'dialect.answers.unknownCommand: "unknown-action" has neither a frame nor a close, and a server answers unknownCommand after the upgrade: give it one',
    );
    const templated = text.replace("close: { code: 1011, reason: fault }", 'close: { code: 1011, reason: "fault {n}" }\n    details: { n: { type: integer } }');
    expect(problems(templated).join("\n")).toContain('dialect.answers.internal: "fault" is written from its details');
  });
});

describe("frames that are JSON arrays (relay: [join_ref, ref, topic, event, payload])", () => {
  const text = readFileSync(join(import.meta.dirname, "catalogs", "relay.yaml"), "utf8");
  const loaded = loadCatalogText(text, "relay.yaml");
  const runtime = createCodec(loaded.ok ? loaded.spec : (undefined as never));

  it("decodes error replies as the server sends them, through index paths, and leaves data arrays alone", () => {
    for (const codec of [relay, runtime]) {
      const reply = codec.decodeFrame('["3","7","room:lobby","reply",{"status":"error","response":{"reason":"unmatched topic"}}]');
      expect([reply?.id, reply?.requestId, reply?.layer]).toEqual(["unmatched-topic", "7", "frame"]);
      const crashed = codec.decodeFrame(["3", null, "room:lobby", "channel_error", {}]);
      expect([crashed?._tag, crashed?.kind, crashed?.retry.directive]).toEqual(["relay/uncatalogued", "channel-unavailable", "resubscribe"]);
      expect(codec.decodeFrame('["3","8","room:lobby","reply",{"status":"ok","response":{}}]')).toBeNull();
      expect(codec.decodeFrame('[null,null,"room:lobby","new_msg",{"body":"hi"}]')).toBeNull();
      expect(codec.isErrorFrame(["3", "7", "room:lobby", "reply", { status: "error", response: { reason: "unauthorized" } }])).toBe(true);
    }
  });

  it("writes arrays, with the slots it does not know as null, and reads back what it wrote", () => {
    const error = new UnmatchedTopicError({ requestId: "7" });
    for (const codec of [relay, runtime]) {
      const sent = codec.encodeFrameText(error);
      expect(JSON.parse(sent)).toEqual([null, "7", null, "reply", { status: "error", response: { reason: "unmatched topic" } }]);
      expect(codec.encodeFrame(error)).toEqual(JSON.parse(sent));
      expect(codec.decodeFrame(sent)).toMatchObject({ id: "unmatched-topic", requestId: "7" });
    }
    // A connection error goes out in the channel-error form, its label in the payload.
    expect(JSON.parse(relay.encodeFrameText(new JoinCrashedError()))).toEqual([null, null, null, "channel_error", { reason: "join crashed" }]);
    expect(relay.decodeFrame(relay.encodeFrameText(new BadEventError()))?.id).toBe("bad-event");
  });

  it("keeps arrays out of object dialects: an array frame there is data, as before", () => {
    expect(ledger.decodeFrame('[{"type":"error"}]')).toBeNull();
    expect(ledger.isErrorFrame([{ type: "error" }])).toBe(false);
  });

  it("is refused by lint where one form is both an array and an object", () => {
    expect(problems(text.replace("      label: 4.reason\n", "      label: reason\n")).join("\n")).toContain(
      '"reason" and "3" disagree on what a frame of this form is',
    );
  });
});

describe("directives carried out on the open connection (relay: reauthenticate, resubscribe)", () => {
  const context = { reconnect: {}, canRefresh: false, canResume: false, attempt: 0, answersRequest: false };
  const expired = () => relay.decodeFrame([null, null, "relay", "notice", { reason: "token expired" }])!;
  const crashed = () => relay.decodeFrame([null, null, "room:lobby", "channel_error", {}])!;

  it("are done on the connection where the client has the hook, and wait for the close where it has not", () => {
    expect(expired()).toMatchObject({ id: "token-expired", retry: { directive: "reauthenticate" } });
    expect(decide(expired(), { ...context, canReauthenticate: true })).toMatchObject({ action: "reauthenticate", delayMs: 0 });
    expect(decide(crashed(), { ...context, canResubscribe: true })).toMatchObject({ action: "resubscribe", delayMs: 0 });
    expect(decide(expired(), context).action).toBe("none");
    expect(decide(crashed(), context).action).toBe("none");
  });

  it("on a request: authenticate again, then send it again; a subscription refused with resubscribe is retried", () => {
    const answer = { ...context, answersRequest: true };
    expect(decide(expired(), { ...answer, canReauthenticate: true }).action).toBe("reauthenticate");
    expect(decide(expired(), answer).action).toBe("stop");
    expect(decide(crashed(), { ...answer, defaultRetryMs: 20 })).toMatchObject({ action: "retry-later", delayMs: 20 });
  });

  it("become a refresh and a reconnect when a close says them: the connection they would use is gone", () => {
    const closed = (error: ReturnType<typeof expired>) => Object.assign(Object.create(Object.getPrototypeOf(error)), error, { layer: "close" });
    expect(decide(closed(expired()), { ...context, canRefresh: true }).action).toBe("refresh-credentials");
    expect(decide(closed(expired()), context).action).toBe("stop");
    expect(decide(closed(crashed()), context).action).toBe("reconnect");
  });

  it("are explained on the reference page", async () => {
    const { generate, loadCatalogFile } = await import("@ws-errors/codegen");
    const loaded = loadCatalogFile(join(import.meta.dirname, "catalogs", "relay.yaml"));
    if (!loaded.ok) throw new Error("relay.yaml does not load");
    const page = generate([loaded]).find((f) => f.kind === "docs")?.content ?? "";
    expect(page).toContain("Authenticate again on the same connection");
    expect(page).toContain("subscribe again to the channel or subscription");
  });
});

describe("a reconnect to the URL the server names (switchboard: retry.url)", () => {
  const text = readFileSync(join(import.meta.dirname, "catalogs", "switchboard.yaml"), "utf8");
  const context = { reconnect: {}, canRefresh: false, canResume: false, attempt: 0, answersRequest: false };

  it("is read from the frame's details and decided as a move there, at once, from a frame", () => {
    const sent = switchboard.encodeFrameText(new MovedError({ details: { reconnect_url: "wss://node-7.example/bus" } }));
    expect(JSON.parse(sent)).toMatchObject({ type: "system", event: "reconnect", session: { reconnect_url: "wss://node-7.example/bus" } });
    const moved = switchboard.decodeFrame(sent)!;
    expect(decide(moved, context)).toMatchObject({ action: "reconnect", delayMs: 0, url: "wss://node-7.example/bus" });
    // Without a URL in it, or with reconnects off, the frame is only noted.
    expect(decide(switchboard.decodeFrame(switchboard.encodeFrameText(new MovedError()))!, context).action).toBe("none");
    expect(decide(moved, { ...context, reconnect: false }).action).toBe("none");
  });

  it("is refused by lint when the field is no string detail, or the directive never reconnects", () => {
    expect(problems(text.replace("url: { field: reconnect_url }", "url: { field: next_url }")).join("\n")).toContain(
      'names "next_url", which is not a detail field of this entry',
    );
    expect(problems(text.replace("reconnect_url: { type: string,", "reconnect_url: { type: integer,")).join("\n")).toContain(
      'detail "reconnect_url" is integer; a URL is a string',
    );
    expect(
      problems(
        text.replace("retry: { directive: reconnect, url:", "retry: { directive: stop, url:").replace(", delay: { ms: 0, replacesBackoff: true } }", " }"),
      ).join("\n"),
    ).toContain('directive "stop" does not reconnect');
  });
});

describe('a close the docs give no code for: "the server then closes" (courier: close.afterFrame)', () => {
  const text = readFileSync(join(import.meta.dirname, "catalogs", "courier.yaml"), "utf8");

  it("is written as 1008 unless the catalog names a code, and never claims that code on its own", () => {
    expect(courier.encodeClose(new AuthFailedError())).toEqual({ code: 1008, reason: "" });
    // A 1008 with no frame before it is whatever the catalog says 1008 is: here, the policy close.
    expect(courier.decodeClose({ code: 1008, reason: "policy violation" })?.id).toBe("policy");
    expect(courier.decodeClose({ code: 4000, reason: "" })?.id).toBe("uncatalogued");
  });

  it("is refused by lint without a frame, or beside a reason match", () => {
    const frameless = text.replace(
      "    frame: true\n    upgrade: { status: 401 }\n    close: { afterFrame: true }",
      "    upgrade: { status: 401 }\n    close: { afterFrame: true }",
    );
    expect(problems(frameless).join("\n")).toContain("a close known only by the frame before it needs that frame");
    expect(problems(text.replace("close: { afterFrame: true }", "close: { afterFrame: true, reason: x, anyCode: true }")).join("\n")).toContain(
      "afterFrame matches whatever close follows the frame",
    );
    expect(problems(text.replace("close: { afterFrame: true }", "close: { reason: x }")).join("\n")).toContain("code");
  });
});

describe("frames that are not JSON (semaphore: dialect.grammar headers)", () => {
  const text = readFileSync(join(import.meta.dirname, "catalogs", "semaphore.yaml"), "utf8");
  const loaded = loadCatalogText(text, "semaphore.yaml");
  const runtime = createCodec(loaded.ok ? loaded.spec : (undefined as never));

  it("decodes an ERROR frame as a broker sends it: CRLF lines, a body over several lines, the NUL", () => {
    const sent =
      "ERROR\r\nreceipt-id:77\r\ncontent-type:text/plain\r\nmessage:destination not found\r\nretry_after:3\r\n\r\nNo queue /queue/a.\nCheck the name.\0";
    for (const codec of [semaphore, runtime]) {
      expect(codec.decodeFrame(sent)).toMatchObject({ id: "no-destination", requestId: "77", message: "No queue /queue/a.\nCheck the name." });
      // Data frames and heartbeats are not errors.
      expect(codec.decodeFrame("MESSAGE\ndestination:/queue/a\n\nhello\0")).toBeNull();
      expect(codec.decodeFrame("\n")).toBeNull();
    }
    const quota = semaphore.decodeFrame("ERROR\nmessage:quota exceeded\nretry_after:4\n\n\0")!;
    expect(retryDelayMs(quota)).toBe(4_000);
  });

  it("writes ERROR frames in the grammar, which decode back to the same error", () => {
    const error = new NoDestinationError({ requestId: "9" });
    for (const codec of [semaphore, runtime]) {
      const sent = codec.encodeFrameText(error);
      expect(sent.startsWith("ERROR\n") && sent.endsWith("\n\nNo such destination.\0")).toBe(true);
      expect(HEADER_FRAMES.parse(sent)).toEqual({
        command: "ERROR",
        headers: { "receipt-id": "9", message: "destination not found" },
        body: "No such destination.",
      });
      expect(codec.decodeFrame(sent)).toMatchObject({ id: "no-destination", requestId: "9" });
    }
    expect(semaphore.decodeFrame(semaphore.encodeFrameText(new OverQuotaError({ details: { retry_after: 2 } })))?.details).toEqual({ retry_after: 2 });
  });

  it("reads back whatever it writes: header names and values with colons, line breaks and backslashes, any body (property)", () => {
    const header = fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== "__proto__");
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z][A-Z_]{0,9}$/),
        fc.dictionary(header, fc.string({ maxLength: 20 }), { maxKeys: 5 }),
        fc.string({ maxLength: 40 }).filter((b) => !b.includes("\0")),
        (command, headers, body) => {
          expect(HEADER_FRAMES.parse(HEADER_FRAMES.write({ command, headers, body }))).toEqual({ command, headers, body });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("takes a grammar of one's own through withGrammar, on decode and encode alike", () => {
    // A pipe-separated line protocol: "error|code|message".
    const pipes: FrameGrammar = {
      name: "pipes",
      parse: (line) => {
        const [type, code, message] = line.split("|");
        return type === undefined || code === undefined ? undefined : { type, code, message };
      },
      write: (value) => {
        const { type, code, message } = value as { type: string; code: string; message: string };
        return [type, code, message].join("|");
      },
    };
    const spec = loadCatalogText(
      readFileSync(join(import.meta.dirname, "catalogs", "ledger.yaml"), "utf8").replace(
        "      code: error.code\n      message: error.message\n",
        "      code: code\n      message: message\n",
      ),
      "pipes.yaml",
    );
    const codec = withGrammar(createCodec(spec.ok ? spec.spec : (undefined as never)), pipes);
    expect(codec.decodeFrame("error|unknown_event|no such event")).toMatchObject({ id: "unknown-event", message: "no such event" });
    expect(codec.decodeFrame("not a pipe line")).toBeNull();
    const Ctor = codec.classes["unknown-event"] as new () => import("@ws-errors/core").WsError;
    expect(codec.encodeFrameText(new Ctor())).toBe("error|unknown_event|No such event type.");
    expect(codec.grammar).toBe(pipes);
  });

  it("is refused by the schema when it names a grammar there is none of", () => {
    expect(problems(text.replace("grammar: headers", "grammar: stomp")).join("\n")).toContain("grammar");
  });
});
