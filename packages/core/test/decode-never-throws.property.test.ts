import fc from "fast-check";
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
      fc.property(fc.record({ code: fc.anything(), reason: fc.anything(), status: fc.anything(), headers: fc.anything(), body: fc.anything() }, { requiredKeys: [] }), (input) => {
        codec.decodeClose(input as never);
        codec.decodeUpgrade(input as never);
      }),
      { numRuns: 1000 },
    );
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
