import * as core from "@ws-errors/core";
import {
  InternalError,
  KIND_DIRECTIVES,
  KIND_NAMES,
  RateLimitedError,
  WsError,
  backoffDelayMs,
  compileConditions,
  createCodec,
  hasKind,
  internal,
  isWsError,
  retryDelayMs,
  sanitizeHeaderValue,
  truncateCloseReason,
  usesMatching,
  type CatalogSpec,
  type EntrySpec,
  type FrameSpec,
  type WsErrorClass,
} from "@ws-errors/core";
import {
  TooManyConnectionsError,
  TooManyRequestsError,
  collective2,
  collective2Catalog,
  collective2Decoder,
  isCollective2Error,
  isTooManyRequestsError,
} from "@ws-errors/core/catalogs/collective2";
import { AuthFailedError, escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { describe, expect, it } from "vitest";

describe("error classes", () => {
  it("carry identity as strings: tag, kind, catalog, and answer instanceof from them", () => {
    const error = new TooManyRequestsError({ message: "slow down", requestId: "r-1" });
    expect(error._tag).toBe("collective2/too-many-requests");
    expect(error.name).toBe("TooManyRequestsError");
    expect(error.kind).toBe("rate-limited");
    expect(error.retry).toEqual({ directive: "retry-later", delay: { header: "Retry-After" } });
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toBeInstanceOf(WsError);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(InternalError);
    expect(error).not.toBeInstanceOf(TooManyConnectionsError);
    expect(isTooManyRequestsError(error)).toBe(true);
    expect(isCollective2Error(error)).toBe(true);
    expect(hasKind(error, "rate-limited")).toBe(true);
  });

  it("have one base class per kind, exported under its name, taking the kind's default directive", () => {
    const bases = (Object.entries(core) as [string, unknown][]).filter((pair): pair is [string, typeof WsError] => {
      const value = pair[1];
      return typeof value === "function" && Object.getPrototypeOf(value) === WsError && Object.hasOwn(value.prototype as object, "kind");
    });
    expect(bases.map(([, base]) => base.prototype.kind).sort()).toEqual([...KIND_NAMES].sort());
    for (const [exported, base] of bases) {
      const { kind } = base.prototype;
      expect(base.name, kind).toBe(exported);
      expect(new base().name, kind).toBe(exported);
      expect(new base().retry, kind).toEqual({ directive: KIND_DIRECTIVES[kind] });
      expect(new base()._tag, kind).toBe(`ws-errors/${kind}`);
    }
  });

  it("recognizes a look-alike from another copy of the package by its brand and tag", () => {
    const decoded = collective2.decodeFrame({ msg_type: "error", payload: { code: "TOO_MANY_REQUESTS" } })!;
    const copy = Object.create(Object.getPrototypeOf(decoded)) as object;
    expect(isTooManyRequestsError(copy)).toBe(true);
    expect(isWsError({ _tag: "collective2/too-many-requests" })).toBe(false);
  });

  it("default the message to the entry summary and keep the cause out of toJSON", () => {
    const cause = new Error("database password is hunter2");
    const error = new AuthFailedError({ cause });
    expect(error.message).toBe(collective2Catalog.errors.length > 0 ? escaRates.catalog.errors[0]!.summary : "");
    expect(error.cause).toBe(cause);
    expect(JSON.stringify(error)).not.toContain("hunter2");
    expect(error.toJSON()).toMatchObject({ _tag: "esca-rates/auth-failed", kind: "unauthenticated", layer: "frame" });
  });

  it("decoded errors capture no stack trace but still describe themselves", () => {
    const decoded = collective2.decodeFrame('{"msg_type":"error","payload":{"code":"FORBIDDEN","message":"no"}}')!;
    expect(Object.hasOwn(decoded, "stack")).toBe(false);
    expect(decoded.stack).toBe("ForbiddenError: no\n    at <decoded from the frame layer>");
    const thrown = new TooManyRequestsError();
    expect(Object.hasOwn(thrown, "stack")).toBe(true);
  });
});

describe("encoding", () => {
  it("writes a command-scope frame with the request id, stamps and constants of the envelope", () => {
    const frame = collective2.encodeFrame(new TooManyRequestsError({ message: "slow down" }), {
      requestId: "my-sub-001",
      now: () => Date.UTC(2024, 0, 1, 12),
      messageId: () => "msg_x",
    });
    expect(frame).toEqual({
      msg_type: "error",
      v: 4,
      id: "msg_x",
      timestamp: "2024-01-01T12:00:00Z",
      request_id: "my-sub-001",
      payload: { code: "TOO_MANY_REQUESTS", message: "slow down" },
    });
  });

  it("picks Esca's command ack for command scope and the standalone frame for connection scope", () => {
    const ack = escaRates.encodeFrame(new escaRates.classes["unknown-symbol"]!({ message: "Unsupported symbol XAU/USD" }), {
      requestId: 1,
      command: "subscribe",
    });
    expect(ack).toEqual({ success: false, req_id: 1, method: "subscribe", error: { code: "unknown_symbol", message: "Unsupported symbol XAU/USD" } });
    const standalone = escaRates.encodeFrame(new AuthFailedError({ message: "revoked" }));
    expect(standalone).toEqual({ type: "error", code: "auth_failed", message: "revoked" });
  });

  it("puts several errors in one frame where the dialect has a list", () => {
    const [a, b] = [
      new collective2.classes["mandatory-param-empty-or-malformed"]!({ field: "payload.channel", message: "Missing parameter" }),
      new collective2.classes["invalid-parameter"]!({ field: "payload.strategy_id", message: "Invalid parameter" }),
    ];
    const frame = collective2.encodeFrame([a!, b!], { messageId: () => "m", now: () => 0 });
    expect((frame.payload as { errors: unknown[] }).errors).toEqual([
      { code: "MANDATORY_PARAM_EMPTY_OR_MALFORMED", field: "payload.channel", message: "Missing parameter" },
      { code: "INVALID_PARAMETER", field: "payload.strategy_id", message: "Invalid parameter" },
    ]);
    expect(collective2.decodeFrameErrors(frame).map((e) => e.id)).toEqual(["mandatory-param-empty-or-malformed", "invalid-parameter"]);
  });

  it("rejects an upgrade as the catalog says, with a sanitized header and Retry-After", () => {
    const response = collective2.encodeUpgrade(new TooManyRequestsError(), { retryAfterSeconds: 2.2 });
    expect(response).toEqual({
      status: 429,
      headers: { "content-type": "application/json; charset=utf-8", "x-ws-error": "Rate limit exceeded", "retry-after": "3" },
      body: '{"code":"TOO_MANY_REQUESTS","message":"Rate limit exceeded"}',
    });
  });

  it("answers an error without an upgrade layer with the catalog's internal error", () => {
    const response = escaRates.encodeUpgrade(new escaRates.classes["unknown-symbol"]!());
    expect(response.status).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({ code: "internal_error" });
  });

  it("never lets untrusted text split a header", () => {
    const codec = createCodec({
      ...collective2Catalog,
      errors: collective2Catalog.errors.map((e) => (e.id === "unauthorized" ? { ...e, upgrade: { status: 401 } } : e)),
    });
    const response = codec.encodeUpgrade(new codec.classes.unauthorized!({ message: "bad\r\nSet-Cookie: session=1\u0000é" }));
    expect(response.headers["x-ws-error"]).toBe("bad  Set-Cookie: session=1 ?");
    expect(Object.keys(response.headers)).not.toContain("set-cookie");
  });

  it("cuts close reasons to 123 bytes without splitting a character", () => {
    expect(truncateCloseReason("a".repeat(200))).toHaveLength(123);
    const cut = truncateCloseReason("é".repeat(100));
    expect(Buffer.byteLength(cut)).toBe(122);
    expect(truncateCloseReason("😀".repeat(40))).toBe("😀".repeat(30));
    expect(sanitizeHeaderValue("x".repeat(500))).toHaveLength(200);
  });
});

describe("policy", () => {
  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.UTC(2024, 0, 1);
    const seconds = collective2.decodeUpgrade({ status: 429, headers: { "Retry-After": "7" }, body: '{"code":"TOO_MANY_REQUESTS"}' })!;
    expect(retryDelayMs(seconds, now)).toBe(7000);
    const date = collective2.decodeUpgrade({
      status: 429,
      headers: { "retry-after": new Date(now + 4000).toUTCString() },
      body: '{"code":"TOO_MANY_REQUESTS"}',
    })!;
    expect(retryDelayMs(date, now)).toBe(4000);
    expect(retryDelayMs(new TooManyConnectionsError())).toBeUndefined();
  });

  it("backs off exponentially with full jitter under a cap", () => {
    expect(backoffDelayMs(0, { initialMs: 100 }, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, { initialMs: 100 }, () => 0.5)).toBe(400);
    expect(backoffDelayMs(30, { initialMs: 100, maxMs: 5000 }, () => 0.999)).toBe(4995);
    expect(backoffDelayMs(5, {}, () => 0)).toBe(0);
  });
});

describe("what a catalog module passes in, and what it gets", () => {
  const withWhen: CatalogSpec = {
    ...collective2Catalog,
    errors: collective2Catalog.errors.map((e) =>
      e.id === "forbidden" && e.frame ? { ...e, frame: { ...e.frame, when: [{ path: "payload.strategy", exists: true }] } } : e,
    ),
  };
  const withTemplate: CatalogSpec = {
    ...collective2Catalog,
    errors: collective2Catalog.errors.map((e) =>
      e.id === "forbidden" && e.frame ? { ...e, frame: { ...e.frame, template: "not yours: {strategy}" }, details: { strategy: { type: "string" } } } : e,
    ),
  };
  const classes = collective2Catalog.errors.map(() => class extends WsError {}) as unknown as WsErrorClass[];

  it("a catalog with conditions, templates or matching the module did not pass needs their support, and says which", () => {
    expect(() => internal.compileCatalog(withWhen, { classes, classify: () => -1 })).toThrow(
      /catalog "collective2" has match conditions that were not specialized: pass `conditions`/,
    );
    expect(() => internal.compileCatalog(withTemplate, { classes, classify: () => -1 })).toThrow(
      /entry "forbidden" is told apart by more than its code: pass `templates` and `matching`/,
    );
    // Conditions compiled, but not the matching that reads them: said as well, not decoded wrong.
    expect(() => internal.compileCatalog(withWhen, { classes, classify: () => -1, conditions: compileConditions })).toThrow(
      /entry "forbidden" is told apart by more than its code: pass `templates` and `matching`/,
    );
    expect(() => internal.compileCatalog(collective2Catalog, { classes, classify: () => -1 })).toThrow(/frame form "error" has no reader: pass `readers`/);
    // createCodec brings both, and they work.
    const codec = createCodec(withTemplate);
    expect(codec.decodeFrame({ msg_type: "error", payload: { message: "not yours: s-1" } })).toMatchObject({ id: "forbidden", details: { strategy: "s-1" } });
    expect(createCodec(withWhen).decodeFrame({ msg_type: "error", payload: { code: "FORBIDDEN", strategy: 1 } })).toMatchObject({ id: "forbidden" });
  });

  it("never writes a template's {placeholders} unfilled: an error built without its details goes out with its summary, and its code and conditions still say which it is", () => {
    // Two entries share FORBIDDEN, told apart by a condition; one words its message from a detail.
    const forbidden = collective2Catalog.errors.find((e) => e.id === "forbidden") as EntrySpec & { frame: FrameSpec };
    const shared: CatalogSpec = {
      ...collective2Catalog,
      errors: [
        ...collective2Catalog.errors.map((e) =>
          e === forbidden
            ? {
                ...e,
                frame: { ...forbidden.frame, template: "not yours: {strategy}", when: [{ path: "payload.scope", equals: "strategy" }] },
                details: { strategy: { type: "string" as const } },
              }
            : e,
        ),
        { ...forbidden, id: "forbidden-account", frame: { ...forbidden.frame, when: [{ path: "payload.scope", equals: "account" }] } },
      ],
    };
    const codec = createCodec(shared);
    const Forbidden = codec.classes.forbidden as WsErrorClass;
    const bare = codec.encodeFrameText(new Forbidden());
    expect(bare).not.toContain("{strategy}");
    expect(codec.decodeFrame(bare)).toMatchObject({ id: "forbidden", message: forbidden.summary });
    const filled = codec.encodeFrameText(new Forbidden({ details: { strategy: "s-1" } }));
    expect(codec.decodeFrame(filled)).toMatchObject({ id: "forbidden", message: "not yours: s-1", details: { strategy: "s-1" } });
    expect(codec.decodeFrame(codec.encodeFrameText(new (codec.classes["forbidden-account"] as WsErrorClass)()))).toMatchObject({ id: "forbidden-account" });
  });

  it("says which entries need matching: a label, `when`, a template, a close by reason alone or by a reason template", () => {
    expect(usesMatching({ frame: { code: "E1" }, close: { code: 4000, reason: "bye", matchReason: true } })).toBe(false);
    expect(usesMatching({ frame: { code: "E1", when: [] } })).toBe(false);
    expect(usesMatching({ frame: { code: "E1", label: "busy" } })).toBe(true);
    expect(usesMatching({ frame: { code: "E1", when: [{ path: "a", exists: true }] } })).toBe(true);
    expect(usesMatching({ frame: { template: "{field} is required" } })).toBe(true);
    expect(usesMatching({ close: { code: 4000, reason: "bye", anyCode: true } })).toBe(true);
    expect(usesMatching({ close: { code: 4000, reason: "banned for {minutes}", matchReason: true } })).toBe(true);
    // Every bundled catalog is told apart by code alone: its bundle carries no matching.
    expect([...collective2Catalog.errors, ...escaRates.catalog.errors].some((e) => usesMatching(e))).toBe(false);
  });

  it("the decoder is the codec without its encoders: same decoding, no encode methods", () => {
    const text = JSON.stringify(collective2.encodeFrame(new TooManyRequestsError({ requestId: 9 })));
    expect(collective2Decoder.decodeFrame(text)).toMatchObject({ id: "too-many-requests", requestId: 9 });
    expect(collective2Decoder.decodeClose({ code: 1008, reason: "" })).toMatchObject({ id: "too-many-connections" });
    expect("encodeFrame" in collective2Decoder).toBe(false);
    expect(
      Object.keys(collective2)
        .filter((k) => !(k in collective2Decoder))
        .sort(),
    ).toEqual(["encodeBrowserFallback", "encodeClose", "encodeFrame", "encodeFrameText", "encodeUpgrade"]);
  });
});
