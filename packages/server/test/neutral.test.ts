import { isIP as nodeIsIP } from "node:net";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fetchHead, refusalResponse } from "../src/adapters/fetch";
import { isIP, utf8Length } from "../src/index";

/*
 * What the engine does without Node's built-ins, checked against Node's own answers over the input
 * space: a frame's UTF-8 size (for the inbound checks' byte counts on Bun, Deno and workerd) and an
 * address's family (for per-address limits).
 */
const RUNS = Number(process.env.WS_ERRORS_PROPERTY_RUNS ?? 2_000);

describe("runtime-neutral helpers agree with Node's built-ins", () => {
  it("utf8Length (the inbound frame size on Bun, Deno, workerd, counted without encoding) is Buffer.byteLength for any string, lone surrogates included", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.oneof(fc.constantFrom("\ud800", "\udc00", "é", "€", "a"), fc.string({ unit: "binary", maxLength: 1 })) }),
        (text) => utf8Length(text) === Buffer.byteLength(text, "utf8"),
      ),
      { numRuns: RUNS },
    );
    expect(utf8Length("é€😀")).toBe(9);
    // Regression: a lone high surrogate before a two-byte character was counted as a pair with it.
    expect(utf8Length("\ud800é")).toBe(Buffer.byteLength("\ud800é"));
    // The property's counterexample against that: two high surrogates.
    expect(utf8Length("\ud800\ud800")).toBe(6);
  });

  it("isIP is net.isIP for addresses of every shape and for near misses", () => {
    const v4 = fc.tuple(fc.nat(300), fc.nat(300), fc.nat(300), fc.nat(300)).map((parts) => parts.join("."));
    const v6 = fc.ipV6();
    const mapped = fc.ipV4().map((address) => `::ffff:${address}`);
    const zoned = fc.ipV6().map((address) => `${address}%eth0`);
    const noise = fc.string({ maxLength: 20 });
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), v4, v6, mapped, zoned, noise, fc.ipV4Extended()), (address) => isIP(address) === nodeIsIP(address)),
      { numRuns: RUNS },
    );
  });

  it("a Fetch request's head reads as Node's: path and query, lower-case headers", () => {
    const head = fetchHead(new Request("http://example.test/v1/rates?api_key=k", { headers: { "X-Api-Key": "k", Origin: "http://a" } }));
    expect(head.url).toBe("/v1/rates?api_key=k");
    expect(head.headers).toMatchObject({ "x-api-key": "k", origin: "http://a" });
  });

  it("a refusal's Response carries the catalog's status, headers and body", async () => {
    const response = refusalResponse({ status: 429, headers: { "retry-after": "3", "content-type": "application/json" }, body: '{"e":1}' });
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(await response.text()).toBe('{"e":1}');
  });
});
