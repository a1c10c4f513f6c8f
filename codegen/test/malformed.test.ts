import { loadCatalogText } from "@ws-errors/codegen";
import { describe, expect, it } from "vitest";

/** A small valid catalog; each case below breaks one thing in it. */
const VALID = `name: demo
title: Demo
version: "1"
dialect:
  sequence: seq
  frames:
    - name: error
      scope: both
      match:
        - { path: type, equals: error }
      constant: { type: error }
      code: code
      message: message
      requestId: id
      details: ""
  upgrade:
    header: X-WS-Error
    code: code
    message: message
errors:
  - id: slow-down
    code: SLOW_DOWN
    kind: rate-limited
    scope: both
    summary: Too many requests.
    retry: { directive: retry-later, delay: { field: wait, unit: seconds } }
    details:
      wait: { type: integer }
    frame: true
    upgrade: { status: 429, header: Slow down }
  - id: gone
    code: GONE
    kind: service-unavailable
    scope: connection
    summary: Gone.
    retry: { directive: reconnect }
    close: { code: 4000, reason: gone }
`;

function replace(find: string, by: string): string {
  if (!VALID.includes(find)) throw new Error(`fixture does not contain ${find}`);
  return VALID.replace(find, by);
}
function lineOf(text: string, needle: string, nth = 0): number {
  const lines = text.split("\n");
  let seen = -1;
  for (let i = 0; i < lines.length; i++) if (lines[i]!.includes(needle) && ++seen === nth) return i + 1;
  throw new Error(`no line with ${needle}`);
}

interface Case {
  readonly name: string;
  readonly text: string;
  /** The problem's line is the line of this text in the broken catalog. */
  readonly at: string;
  readonly message: RegExp;
  /** Which occurrence of `at` (for duplicates, the second). */
  readonly nth?: number;
}

const dupCatalog = `${VALID}  - id: slow-down-again
    code: SLOW_DOWN
    kind: rate-limited
    scope: both
    summary: Again.
    retry: { directive: retry-later }
    frame: true
`;

const CASES: Case[] = [
  {
    name: "YAML syntax error",
    text: replace("title: Demo", "title: Demo: x: y"),
    at: "title: Demo: x",
    message: /^YAML: Nested mappings are not allowed in compact mappings$/,
  },
  { name: "duplicate key", text: replace('version: "1"', 'version: "1"\nversion: "2"'), at: 'version: "2"', message: /unique/i },
  { name: "missing name", text: replace("name: demo\n", ""), at: "title: Demo", message: /missing required property "name"/ },
  { name: "bad catalog name", text: replace("name: demo", "name: Demo Catalog"), at: "name: Demo Catalog", message: /must match/ },
  {
    name: "a frame form that is both an array and an object",
    text: replace("        - { path: type, equals: error }", '        - { path: "3", equals: phx_error }'),
    at: 'path: "3"',
    message: /"3" and "[a-z]+" disagree on what a frame of this form is/,
  },
  { name: "unknown top-level property", text: replace("title: Demo", "title: Demo\ncolour: blue"), at: "colour: blue", message: /unknown property "colour"/ },
  { name: "unknown kind", text: replace("kind: rate-limited", "kind: throttled"), at: "kind: throttled", message: /must be one of: cancelled/ },
  { name: "unknown directive", text: replace("directive: reconnect", "directive: retry-forever"), at: "retry-forever", message: /must be one of/ },
  { name: "bad scope", text: replace("scope: connection", "scope: global"), at: "scope: global", message: /must be one of: connection, command, both/ },
  { name: "code of the wrong type", text: replace("code: GONE", "code: [GONE]"), at: "code: [GONE]", message: /^must be a string or an integer$/ },
  { name: "bad id", text: replace("id: gone", "id: Gone_Away"), at: "id: Gone_Away", message: /must match/ },
  { name: "reserved id", text: replace("id: gone", "id: uncatalogued"), at: "id: uncatalogued", message: /reserved/ },
  { name: "bad class name", text: replace("id: gone", "id: gone\n    className: gone"), at: "className: gone", message: /must match/ },
  { name: "duplicate id", text: replace("id: gone", "id: slow-down"), at: "id: slow-down", nth: 1, message: /already used by errors\[0\]/ },
  {
    name: "shared frame code nothing tells apart",
    text: dupCatalog,
    at: "frame: true",
    nth: 1,
    message: /errors\[0\] \(slow-down\) and errors\[2\] \(slow-down-again\) share frame code SLOW_DOWN and nothing on the wire tells them apart.*frame\.when/,
  },
  {
    name: "alias that is another entry's code, with nothing to tell them apart",
    text: replace("code: GONE", "code: GONE\n    aliases: [SLOW_DOWN]\n    frame: true"),
    at: "frame: true",
    nth: 1,
    message: /share frame code SLOW_DOWN/,
  },
  {
    name: "a number and its text are one code",
    text: dupCatalog.replace("code: SLOW_DOWN", "code: 42").replace("code: SLOW_DOWN", 'code: "42"'),
    at: "frame: true",
    nth: 1,
    message: /share frame code 42/,
  },
  {
    name: "no frame forms",
    text: VALID.replace(/ {2}frames:\n[\s\S]*?(?= {2}upgrade:)/, "  frames: []\n").replace("    frame: true\n", ""),
    at: "frames: []",
    message: /has no error-frame form/,
  },
  {
    name: "default class name that shadows a core class",
    text: replace("id: gone", "id: rate-limited"),
    at: "id: rate-limited",
    message: /class name RateLimitedError is core's base class of kind "rate-limited".*set className \(e\.g\. "DemoRateLimitedError"\)/,
  },
  {
    name: "default class name that is the catalog's union",
    text: replace("id: gone", "id: demo"),
    at: "id: demo",
    message: /DemoError is the union of every error/,
  },
  {
    name: "template with an undeclared placeholder",
    text: replace("frame: true", 'frame: { template: "slow down for {secs}s" }'),
    at: "template:",
    message: /placeholder \{secs\} names no detail field: declare details\.secs/,
  },
  {
    name: "template with adjacent placeholders",
    text: replace("frame: true", 'frame: { template: "{wait}{wait}" }'),
    at: "template:",
    message: /have no text between them/,
  },
  {
    name: "template with an unclosed placeholder",
    text: replace("frame: true", 'frame: { template: "wait {wait" }'),
    at: "template:",
    message: /unclosed "\{"/,
  },
  {
    name: "frame form that does not exist",
    text: replace("frame: true", "frame: { form: reply }"),
    at: "form: reply",
    message: /names frame form "reply", which the dialect does not have \(error\)/,
  },
  {
    name: "when on a prototype key",
    text: replace("frame: true", "frame: { when: [{ path: __proto__.x, equals: 1 }] }"),
    at: "path: __proto__",
    message: /prototype key/,
  },
  {
    name: "optional close without a frame",
    text: replace("close: { code: 4000, reason: gone }", "close: { code: 4000, reason: gone, optional: true }"),
    at: "optional: true",
    message: /optional close follows the error's frame/,
  },
  {
    name: "anyCode without a reason",
    text: replace("close: { code: 4000, reason: gone }", "close: { code: 4000, anyCode: true }"),
    at: "anyCode: true",
    message: /give the reason/,
  },
  {
    name: "uncorrelated errors with a request id path",
    text: replace("  sequence: seq\n", "  sequence: seq\n  requests: { command: type, errorReplies: uncorrelated }\n"),
    at: "requestId: id",
    message: /error replies are uncorrelated/,
  },
  {
    name: "fallback for an unknown layer",
    text: replace(
      "  upgrade:\n    header",
      "  fallbacks:\n    - { layer: [frame, body], from: 1, to: 9, kind: internal, retry: { directive: stop }, summary: x }\n  upgrade:\n    header",
    ),
    at: "layer: [frame, body]",
    message: /must be one of: upgrade, frame, close/,
  },
  { name: "frame of the wrong type", text: replace("frame: true", "frame: 5"), at: "frame: 5", message: /^must be true or false or a mapping \(key: value\)$/ },
  {
    name: "label with no label path in the dialect",
    text: replace("frame: true", "frame: { label: SLOW }"),
    at: "label: SLOW",
    message: /no frame form of the dialect has a label path/,
  },
  { name: "close code that cannot be sent", text: replace("code: 4000", "code: 1006"), at: "code: 1006", message: /cannot be sent/ },
  { name: "close code out of range", text: replace("code: 4000", "code: 5001"), at: "code: 5001", message: /cannot be sent/ },
  { name: "close reason over 123 bytes", text: replace("reason: gone", `reason: ${"é".repeat(70)}`), at: "reason: é", message: /140 bytes/ },
  { name: "close 1000 without matchReason", text: replace("code: 4000", "code: 1000"), at: "code: 1000", message: /normal closure/ },
  {
    name: "resume without a sequence path",
    text: replace("  sequence: seq\n", "").replace("directive: reconnect", "directive: resume"),
    at: "directive: resume",
    message: /needs dialect.sequence/,
  },
  { name: "delay field that is not a detail", text: replace("field: wait,", "field: pause,"), at: "field: pause", message: /not a detail field/ },
  {
    name: "delay field that is not numeric",
    text: replace("wait: { type: integer }", "wait: { type: string }"),
    at: "field: wait",
    message: /a delay needs integer or number/,
  },
  {
    name: "delay with two sources",
    text: replace("delay: { field: wait, unit: seconds }", "delay: { field: wait, unit: seconds, ms: 5 }"),
    at: "delay: {",
    message: /exactly one of header, field, ms or window/,
  },
  {
    name: "delay on stop",
    text: replace("directive: reconnect", "directive: stop, delay: { ms: 5 }").replace("kind: service-unavailable", "kind: internal"),
    at: "directive: stop",
    message: /never waits/,
  },
  { name: "entry with no layer", text: replace("    close: { code: 4000, reason: gone }\n", ""), at: "- id: gone", message: /has no layer/ },
  { name: "upgrade status out of range", text: replace("status: 429", "status: 200"), at: "status: 200", message: /must be >= 400/ },
  {
    name: "control characters in header text",
    text: replace("header: Slow down", 'header: "Slow\\r\\ndown"'),
    at: 'header: "Slow',
    message: /printable ASCII/,
  },
  {
    name: "browser fallback outside 4000-4999",
    text: replace("upgrade: { status: 429, header: Slow down }", "upgrade: { status: 429, header: Slow down }\n    browserFallback: { code: 3001 }"),
    at: "browserFallback",
    message: /must be in 4000-4999/,
  },
  {
    name: "browser fallback without an upgrade layer",
    text: replace("close: { code: 4000, reason: gone }", "close: { code: 4000, reason: gone }\n    browserFallback: { code: 4100 }"),
    at: "browserFallback",
    message: /add an upgrade layer/,
  },
  { name: "unknown detail type", text: replace("wait: { type: integer }", "wait: { type: date }"), at: "type: date", message: /must be one of: string/ },
  {
    name: "frame form without match",
    text: replace("      match:\n        - { path: type, equals: error }\n", ""),
    at: "- name: error",
    message: /missing required property "match"/,
  },
  {
    name: "unknown stamp",
    text: replace('      details: ""', '      details: ""\n      stamps: { id: uuid }'),
    at: "stamps",
    message: /must be one of: iso-timestamp/,
  },
  { name: "no errors", text: `${VALID.slice(0, VALID.indexOf("errors:"))}errors: []\n`, at: "errors: []", message: /must NOT have fewer than 1 items/ },
  {
    name: "command scope without a command form",
    text: replace("scope: both\n      match", "scope: connection\n      match"),
    at: "scope: both\n    summary".split("\n")[0]!,
    message: /no frame form of the dialect has scope command/,
  },
];

describe("a malformed catalog is rejected at the right place", () => {
  it("the fixture itself is valid", () => {
    const result = loadCatalogText(VALID, "demo.yaml");
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it(`has at least 30 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const result = loadCatalogText(c.text, "demo.yaml");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const match = result.problems.find((p) => c.message.test(p.message));
    expect(match, result.problems.map((p) => `${p.line}:${p.col} ${p.path} ${p.message}`).join("\n")).toBeDefined();
    expect(match!.file).toBe("demo.yaml");
    expect(match!.line).toBe(lineOf(c.text, c.at, c.nth ?? 0));
    expect(match!.col).toBeGreaterThan(0);
  });

  it("suggests what a misspelled field or value meant, and says a misspelled required field once", () => {
    const text = replace("    retry: { directive: reconnect }", "    retyr: { directive: reconnect }").replace(
      "kind: service-unavailable",
      "kind: service-unavailabel",
    );
    const result = loadCatalogText(text, "demo.yaml");
    const messages = result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
    expect(messages).toEqual([
      `errors[1].kind: is "service-unavailabel": did you mean "service-unavailable"? (must be one of: ${messages[0]?.split("(must be one of: ")[1]}`,
      'errors[1].retyr: unknown property "retyr": did you mean "retry"?',
    ]);
    expect(messages[0]).toContain("service-unavailable, internal");
    // Nothing near enough: no guess, and the required field is still named.
    const far = loadCatalogText(replace("    retry: { directive: reconnect }", "    colour: blue"), "demo.yaml");
    expect(far.ok ? [] : far.problems.map((p) => p.message).sort()).toEqual(['missing required property "retry"', 'unknown property "colour"']);
  });

  it("reports the lint checks' problems beside the schema's, where the schema found nothing wrong", () => {
    // A duplicate id (lint) in one entry, a bad directive (schema) in another.
    const text = `${replace("directive: reconnect", "directive: retry-forever")}  - id: gone
    code: GONE_AGAIN
    kind: service-unavailable
    scope: connection
    summary: Gone again.
    retry: { directive: reconnect }
    close: { code: 4001, reason: gone again }
`;
    const result = loadCatalogText(text, "demo.yaml");
    const messages = result.ok ? [] : result.problems.map((p) => `${p.line} ${p.path}: ${p.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^\d+ errors\[1\]\.retry\.directive: must be one of/));
    expect(messages).toContainEqual(`${lineOf(text, "id: gone", 1)} errors[2].id: id "gone" is already used by errors[1]`);
  });

  it("reports every problem at once, not only the first", () => {
    const text = replace("kind: rate-limited", "kind: throttled")
      .replace("code: 4000", "code: 1006")
      .replace("directive: reconnect", "directive: retry-forever");
    const result = loadCatalogText(text, "demo.yaml");
    expect(result.ok ? 0 : result.problems.length).toBeGreaterThanOrEqual(2);
  });
});
