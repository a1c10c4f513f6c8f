import fc from "fast-check";
import { createCodec, type WsError } from "../src/index";
import { describe, expect, it } from "vitest";
import { CODECS } from "./fixtures/codecs";

const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort().join(",");

function deep(depth: number): string {
  return `${"[".repeat(depth)}${"]".repeat(depth)}`;
}

const hostile = [
  '{"__proto__":{"polluted":true},"msg_type":"error","payload":{"code":"FORBIDDEN","__proto__":{"x":1}}}',
  '{"constructor":{"prototype":{"polluted":true}},"type":"error","code":"constructor"}',
  '{"code":{"__proto__":null},"message":[]}',
  '{"code":1e400,"message":"huge"}',
  '{"code":-0,"cmd":"x"}',
  '{"code":12345678901234567890123,"msg":"big"}',
  '{"success":false,"error":{"code":["unknown_symbol"]},"req_id":{"a":1}}',
  '{"msg_type":"error","payload":{"errors":[null,1,"x",{"code":{}},{"code":"FORBIDDEN","field":7}]}}',
  '{"msg_type":"error","payload":{"errors":{"length":5}}}',
  deep(5000),
  `{"a":${deep(3000)}}`,
  "",
  "null",
  "\u0000\uffff",
  "toString",
];

describe.each(Object.entries(CODECS))("%s: decoding never throws", (_name, codec) => {
  const before = prototypeKeys();

  it("on any JSON value, on any string, and on any JavaScript value", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.json(), fc.string(), fc.anything({ withObjectString: true, withNullPrototype: true })), (input) => {
        codec.decodeFrameErrors(input);
        codec.isErrorFrame(input);
        codec.readSequence(input);
        codec.decodeClose(input as never);
        codec.decodeUpgrade(input as never);
      }),
      { numRuns: 1000 },
    );
  });

  it("on close and upgrade inputs with wrong types", () => {
    fc.assert(
      fc.property(
        fc.record({ code: fc.anything(), reason: fc.anything(), status: fc.anything(), headers: fc.anything(), body: fc.anything() }, { requiredKeys: [] }),
        (input) => {
          codec.decodeClose(input as never);
          codec.decodeUpgrade(input as never);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("on a header list holding something that is not a string (fast-check's counterexample)", () => {
    const input = { status: 429, headers: { "retry-after": ["5", { toString: undefined }], "x-other": [7, "b"] }, body: "" };
    expect(() => codec.decodeUpgrade(input as never)).not.toThrow();
    expect(codec.decodeUpgrade(input as never)?.wire?.headers).toMatchObject({ "retry-after": "5", "x-other": "b" });
  });

  it.each(hostile.map((h) => [h.slice(0, 60), h] as const))("on %s", (_label, text) => {
    expect(() => codec.decodeFrameErrors(text)).not.toThrow();
    expect(() => codec.decodeUpgrade({ status: 400, headers: { "x-ws-error": text }, body: text })).not.toThrow();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("leaves Object.prototype untouched", () => {
    expect(prototypeKeys()).toBe(before);
  });
});

describe.each(Object.entries(CODECS))("%s: the generated data-frame test in front of the runtime", (_name, codec) => {
  // The codec the runtime builds from the same catalog, without the catalog module's own fast path.
  const runtime = createCodec(codec.catalog);
  const frames = codec.catalog.errors
    .filter((e) => e.frame)
    .map((e) => codec.encodeFrame(new (codec.classes[e.id] as new (i: object) => WsError)({ requestId: 7 }), { now: () => 0 }));

  const path = codec.catalog.dialect.sequence;
  // Values that carry the catalog's sequence id (top-level or nested), of every JSON type.
  const sequenced = fc
    .jsonValue()
    .map((seq) => (path ? Object.fromEntries([[path.split(".")[0] as string, path.includes(".") ? { [path.split(".")[1] as string]: seq } : seq]]) : {}));

  it("answers every value as the runtime's own decoder does: data frames null or none, error frames decoded alike", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.anything({ withNullPrototype: true }), fc.constantFrom(...frames), sequenced), (input) => {
        const ours = codec.decodeFrame(input);
        const theirs = runtime.decodeFrame(input);
        expect(ours === null).toBe(theirs === null);
        if (ours && theirs) expect([ours.id, ours.code, ours.message]).toEqual([theirs.id, theirs.code, theirs.message]);
        expect(codec.decodeFrameErrors(input).length).toBe(runtime.decodeFrameErrors(input).length);
        expect(codec.isErrorFrame(input)).toBe(runtime.isErrorFrame(input));
        expect(codec.readSequence(input)).toBe(runtime.readSequence(input));
      }),
      { numRuns: 500 },
    );
    // Every error frame of the catalog goes through to the full decoder.
    for (const frame of frames) expect(codec.decodeFrame(frame)).not.toBeNull();
  });
});
