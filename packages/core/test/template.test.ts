import { matchTemplate, parseTemplate, renderTemplate, type Template } from "@ws-errors/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const parsed = (text: string) => parseTemplate(text) as Template;

/* The reference: the same semantics as a regular expression (each capture non-empty and as short
   as possible, the last one up to the final literal). Only safe on short inputs, which is the point. */
function reference(template: Template, text: string): Record<string, string> | undefined {
  const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = template.literals
    .map(escapeRegex)
    .reduce((out, literal, i) => (i === 0 ? literal : `${out}(${i === template.literals.length - 1 ? "[\\s\\S]+" : "[\\s\\S]+?"})${literal}`), "");
  const found = new RegExp(`^${pattern}$`).exec(text);
  if (!found) return undefined;
  return Object.fromEntries(template.names.map((name, i) => [name, found[i + 1] as string]));
}

describe("message templates", () => {
  it("capture the variable parts", () => {
    expect(matchTemplate(parsed("{field} is required"), "symbol is required")).toEqual({ field: "symbol" });
    expect(matchTemplate(parsed("unknown message type: {type}"), "unknown message type: ping")).toEqual({ type: "ping" });
    expect(matchTemplate(parsed("message too long: {length} > {max} characters"), "message too long: 900 > 500 characters")).toEqual({
      length: "900",
      max: "500",
    });
    expect(matchTemplate(parsed("could not parse message"), "could not parse message")).toEqual({});
    expect(matchTemplate(parsed("{{literal}} {x}"), "{literal} y")).toEqual({ x: "y" });
  });

  it("do not match other text, or empty captures", () => {
    expect(matchTemplate(parsed("{field} is required"), " is required")).toBeUndefined();
    expect(matchTemplate(parsed("{field} is required"), "symbol is required!")).toBeUndefined();
    expect(matchTemplate(parsed("could not parse message"), "could not parse message.")).toBeUndefined();
    expect(matchTemplate(parsed("a{x}a"), "aa")).toBeUndefined();
  });

  it("refuse what could only be matched by guessing", () => {
    expect(parseTemplate("{a}{b}")).toMatch(/no text between them/);
    expect(parseTemplate("wait {a")).toMatch(/unclosed/);
    expect(parseTemplate("a } b")).toMatch(/unmatched "}"/);
    expect(parseTemplate("{not-a-name}")).toMatch(/detail field name/);
  });

  it("render what they match", () => {
    const template = parsed("message too long: {length} > {max} characters");
    expect(renderTemplate(template, { length: 900, max: 500 })).toBe("message too long: 900 > 500 characters");
    expect(renderTemplate(template, { length: 900 })).toBe("message too long: 900 > {max} characters");
  });

  it("agree with the equivalent regular expression on any input (property)", () => {
    const piece = fc.constantFrom("a", "b", ": ", " ", "x");
    const literal = fc.array(piece, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(""));
    const template = fc
      .tuple(
        fc.array(piece, { maxLength: 2 }).map((p) => p.join("")),
        fc.array(literal, { minLength: 0, maxLength: 3 }),
        fc.array(piece, { maxLength: 2 }).map((p) => p.join("")),
      )
      .map(([head, middles, tail]) => {
        const literals = [head, ...middles, tail];
        return { literals, names: literals.slice(1).map((_, i) => `p${i}`) } satisfies Template;
      });
    fc.assert(
      fc.property(
        template,
        fc.array(piece, { maxLength: 12 }).map((p) => p.join("")),
        (t, text) => {
          expect(matchTemplate(t, text)).toEqual(reference(t, text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("stay linear on inputs built to make a backtracking matcher explode", () => {
    // With a regular expression, /^(.+?)a(.+?)a(.+?)a(.+)b$/ on 200,000 "a"s backtracks for hours.
    const template = parsed("{w}a{x}a{y}a{z}b");
    const text = "a".repeat(200_000);
    expect(matchTemplate(template, text)).toBeUndefined();
    // Near misses at every position: each literal is still searched once, from where the last ended.
    const nearMiss = `${"ab".repeat(100_000)}c`;
    expect(matchTemplate(parsed("{x}abc{y}d"), `${"ab".repeat(100_000)}d`)).toBeUndefined();
    expect(matchTemplate(parsed("{x}ab{y}c"), nearMiss)).toEqual({ x: "ab", y: "ab".repeat(99_998) });
  });
});
