import { createCodec, type DetailType, type EntrySpec, type WsErrorInit } from "@ws-errors/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CODECS } from "./fixtures/codecs";

const DETAIL: Record<DetailType, fc.Arbitrary<unknown>> = {
  string: fc.string(),
  integer: fc.integer(),
  number: fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n)),
  boolean: fc.boolean(),
  "string[]": fc.array(fc.string(), { maxLength: 4 }),
  object: fc
    .dictionary(
      fc.string().filter((k) => k !== "__proto__"),
      fc.jsonValue(),
      { maxKeys: 3 },
    )
    .map((o) => JSON.parse(JSON.stringify(o)) as unknown),
  "object[]": fc.array(
    fc.dictionary(
      fc.string().filter((k) => k !== "__proto__"),
      fc.integer(),
      { maxKeys: 2 },
    ),
    { maxLength: 3 },
  ),
};

function initArbitrary(entry: EntrySpec): fc.Arbitrary<WsErrorInit> {
  const details = fc.record(Object.fromEntries(Object.entries(entry.details).map(([name, d]) => [name, DETAIL[d.type]])), { requiredKeys: [] });
  return fc.record({
    message: fc.string({ maxLength: 80 }),
    details,
    requestId: entry.scope === "connection" ? fc.constant(undefined) : fc.oneof(fc.string({ minLength: 1, maxLength: 50 }), fc.nat()),
    field: fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
  }) as fc.Arbitrary<WsErrorInit>;
}

const cases = Object.entries(CODECS).flatMap(([name, codec]) => codec.catalog.errors.map((entry) => [name, entry.id, codec, entry] as const));

describe.each(cases)("%s/%s encodes and decodes back on every layer it has", (_name, _id, codec, entry) => {
  const Class = codec.classes[entry.id]!;
  const hasFieldPath = codec.catalog.dialect.frames.some((f) => f.field !== undefined);

  if (entry.frame) {
    it("frame", () => {
      fc.assert(
        fc.property(initArbitrary(entry), (init) => {
          const sent = new Class(init);
          const text = JSON.stringify(codec.encodeFrame(sent));
          const got = codec.decodeFrame(text);
          expect(got?._tag).toBe(sent._tag);
          expect(got?.code).toBe(entry.code);
          expect(got?.message).toBe(sent.message);
          if (hasFieldPath) expect(got?.field).toBe(sent.field);
          const form = codec.catalog.dialect.frames.find((f) => f.requestId !== undefined && (f.scope === "both" || f.scope === "command"));
          if (form && sent.requestId !== undefined && entry.scope !== "connection") expect(got?.requestId).toBe(sent.requestId);
          const hasDetails = codec.catalog.dialect.frames.every((f) => f.details !== undefined);
          if (hasDetails) expect(got?.details).toEqual(sent.details);
        }),
        { numRuns: 50 },
      );
    });
  }

  if (entry.frame) {
    it("frame text: the generated writer writes the frame encodeFrame builds", () => {
      fc.assert(
        fc.property(initArbitrary(entry), fc.option(fc.string({ maxLength: 12 }), { nil: undefined }), (init, command) => {
          const sent = new Class(init);
          const options = { now: () => 1_700_000_000_000, messageId: () => "msg_fixed", ...(command !== undefined && { command }) };
          expect(JSON.parse(codec.encodeFrameText(sent, options))).toEqual(codec.encodeFrame(sent, options));
        }),
        { numRuns: 50 },
      );
    });
  }

  if (entry.close) {
    it("close", () => {
      const close = codec.encodeClose(new Class({}))!;
      expect(Buffer.byteLength(close.reason)).toBeLessThanOrEqual(123);
      expect(codec.decodeClose(close)?._tag).toBe(`${codec.catalog.name}/${entry.id}`);
    });
  }

  if (entry.browserFallback) {
    it("browser fallback close", () => {
      const close = codec.encodeBrowserFallback(new Class({}))!;
      expect(close.code).toBeGreaterThanOrEqual(4000);
      expect(codec.decodeClose(close)?._tag).toBe(`${codec.catalog.name}/${entry.id}`);
    });
  }

  if (entry.upgrade) {
    it("upgrade", () => {
      fc.assert(
        fc.property(initArbitrary(entry), fc.option(fc.integer({ min: 0, max: 3600 }), { nil: undefined }), (init, retryAfter) => {
          const sent = new Class(init);
          const response = codec.encodeUpgrade(sent, retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter });
          expect(response.status).toBe(entry.upgrade!.status);
          for (const value of Object.values(response.headers)) expect(value).toMatch(/^[\x20-\x7e]*$/);
          const got = codec.decodeUpgrade(response);
          expect(got?._tag).toBe(sent._tag);
          expect(got?.wire?.status).toBe(entry.upgrade!.status);
          if (codec.catalog.dialect.upgrade.details !== undefined) expect(got?.details).toEqual(sent.details);
        }),
        { numRuns: 50 },
      );
    });
  }
});

describe("generated matchers agree with the catalog's conditions", () => {
  it.each(Object.entries(CODECS))("%s", (_name, generated) => {
    const runtime = createCodec(generated.catalog);
    const frames = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          code: fc.oneof(fc.integer({ min: -1, max: 6000 }), fc.constantFrom(0, 200, "FORBIDDEN", "auth_failed")),
          msg_type: fc.constantFrom("error", "heartbeat"),
          type: fc.constantFrom("error", "data"),
          success: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(frames, (frame) => {
        const a = generated.decodeFrameErrors(frame).map((e) => [e.name, e.code]);
        const b = runtime.decodeFrameErrors(frame).map((e) => [e.name, e.code]);
        expect(a).toEqual(b);
      }),
      { numRuns: 300 },
    );
  });
});
