import { UncataloguedError, retryDelayMs } from "@ws-errors/core";
import { describe, expect, it } from "vitest";
import { CODECS } from "./fixtures/codecs";
import { CLOSE_EXAMPLES, FRAME_EXAMPLES, NON_ERROR_FRAMES, UPGRADE_EXAMPLES } from "./fixtures/seed-examples";

const codec = (name: string) => {
  const found = CODECS[name];
  if (!found) throw new Error(`no codec ${name}`);
  return found;
};

describe("every example frame of the seed pages", () => {
  it.each(FRAME_EXAMPLES.map((e) => [e.catalog, e.text, e] as const))("%s: %s", (_name, _text, example) => {
    const errors = codec(example.catalog).decodeFrameErrors(example.text);
    expect(errors.map((e) => e.name)).toEqual(example.expect.map((e) => e.className));
    // decodeFrame gives the first of them, still holding the text as received.
    const first = codec(example.catalog).decodeFrame(example.text);
    expect(first?.name).toBe(example.expect[0]?.className);
    expect(first?.raw).toBe(example.text);
    example.expect.forEach((want, i) => {
      const error = errors[i]!;
      expect(error.code).toBe(want.code);
      expect(error.layer).toBe("frame");
      expect(error.catalog).toBe(example.catalog);
      expect(error.message).toBe(want.message);
      expect(error.field).toBe(want.field);
      expect(error.requestId).toBe(want.requestId);
      expect(error.command).toBe(want.command);
      expect(error.raw).toBe(example.text);
      if (want.details) expect(error.details).toEqual(want.details);
    });
  });

  it.each(NON_ERROR_FRAMES.map((e) => [e.catalog, e.text, e.success] as const))("%s: %s is not an error", (name, text, success) => {
    expect(codec(name).decodeFrame(text)).toBeNull();
    expect(codec(name).isSuccessFrame(JSON.parse(text))).toBe(success);
  });
});

describe("every example upgrade rejection of the seed pages", () => {
  it.each(UPGRADE_EXAMPLES.map((e) => [e.catalog, e.response.status, e] as const))("%s: HTTP %i", (_name, status, example) => {
    const error = codec(example.catalog).decodeUpgrade(example.response)!;
    expect(error.name).toBe(example.className);
    expect(error.layer).toBe("upgrade");
    expect(error.wire?.status).toBe(status);
    expect(error.message).toBe(example.message);
    if (example.details) expect(error.details).toEqual(example.details);
  });

  it("reads the delay of a 429 from reset_at", () => {
    const example = UPGRADE_EXAMPLES.find((e) => e.className === "RateLimitExceededError")!;
    const error = codec("tickdb-legacy").decodeUpgrade(example.response)!;
    expect(retryDelayMs(error, 1700000000 * 1000 - 2500)).toBe(2500);
  });
});

describe("every close the seed pages describe", () => {
  it.each(CLOSE_EXAMPLES.map((e) => [e.catalog, e.close.code, e.close.reason, e] as const))("%s: %i %j", (_name, _code, _reason, example) => {
    const error = codec(example.catalog).decodeClose(example.close);
    if (example.className === null) {
      expect(error).toBeNull();
      return;
    }
    expect(error?.name).toBe(example.className);
    expect(error?.layer).toBe("close");
    expect(error?.retry.directive).toBe(example.directive);
    expect(error?.wire?.closeCode).toBe(example.close.code);
  });
});

describe("codes the catalog does not list", () => {
  it("keeps the raw frame and takes the policy of the code's family (TickDB 3xxx)", () => {
    const text = '{"cmd":"subscribe","code":3999,"message":"new limit"}';
    const error = codec("tickdb").decodeFrame(text)!;
    expect(error).toBeInstanceOf(UncataloguedError);
    expect(error.code).toBe(3999);
    expect(error.kind).toBe("rate-limited");
    expect(error.retry.directive).toBe("retry-later");
    expect(error.raw).toBe(text);
    expect(error._tag).toBe("tickdb/uncatalogued");
  });

  it("gives an unknown application close code a reconnect, and 1011 the internal kind", () => {
    expect(codec("esca-rates").decodeClose({ code: 4999, reason: "?" })?.retry.directive).toBe("reconnect");
    expect(codec("esca-rates").decodeClose({ code: 1011, reason: "" })?.kind).toBe("internal");
  });

  it("gives an uncatalogued HTTP 401 the unauthenticated kind and 503 a reconnect", () => {
    expect(codec("infoway").decodeUpgrade({ status: 403, headers: {}, body: "" })?.kind).toBe("permission-denied");
    expect(codec("esca-rates").decodeUpgrade({ status: 503, headers: {}, body: "<html>" })?.retry.directive).toBe("reconnect");
  });

  it("treats a 101 and a clean 1000 as no error", () => {
    expect(codec("collective2").decodeUpgrade({ status: 101, headers: {}, body: "" })).toBeNull();
    expect(codec("esca-rates").decodeClose({ code: 1000, reason: "bye" })).toBeNull();
  });

  it("accepts a numeric code sent as a string", () => {
    expect(codec("tickdb").decodeFrame('{"cmd":"subscribe","code":"4001","message":"x"}')?.name).toBe("UnknownCommandError");
  });
});
