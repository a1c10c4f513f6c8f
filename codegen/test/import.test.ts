import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BUNDLED_DIR, generate, importDocs, importMarkdown, loadCatalogFile, loadCatalogText, runCli, type CliIo } from "@ws-errors/codegen";
import { marked } from "marked";
import { statedShape } from "./accuracy";
import type { CatalogSpec } from "@ws-errors/core";
import { describe, expect, it } from "vitest";

/* `ws-errors import`: a catalog drafted from an API's error documentation. */

const TEST_DIR = resolve(import.meta.dirname, "catalogs");
const CATALOGS = [
  ...readdirSync(BUNDLED_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(BUNDLED_DIR, f)),
  ...readdirSync(TEST_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => join(TEST_DIR, f)),
];

function draftOf(page: string, name: string, format?: "markdown" | "html" | "asyncapi"): CatalogSpec {
  const loaded = loadCatalogText(importDocs(page, { name, ...(format && { format }) }).yaml, `${name}.yaml`);
  if (!loaded.ok) throw new Error(loaded.problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  return loaded.spec;
}

describe("the reference page ws-errors generate writes, imported again", () => {
  it.each(CATALOGS.flatMap((file) => (["markdown", "html"] as const).map((format) => [file.split("/").pop() as string, format, file] as const)))(
    "gives back every entry of %s (as %s): code, kind, directive, layers, scope, summary",
    (_name, format, file) => {
      const loaded = loadCatalogFile(file);
      if (!loaded.ok) throw new Error(`${file} does not load`);
      const markdown = generate([loaded]).find((f) => f.kind === "docs")?.content ?? "";
      // The same page as a docs site serves it: rendered to HTML.
      const page = format === "html" ? (marked.parse(markdown, { async: false }) as string) : markdown;
      const draft = draftOf(page, loaded.spec.name, format);
      expect(draft.errors.length).toBe(loaded.spec.errors.length);
      expect(statedShape(draft)).toEqual(statedShape(loaded.spec));
    },
  );
});

describe("a page in the style vendors write (columns titled their own way, no kinds, a close table without codes)", () => {
  const page = readFileSync(join(import.meta.dirname, "fixtures", "import", "vendor-style.md"), "utf8");
  const result = importMarkdown(page, { name: "acme" });
  const spec = draftOf(page, "acme");
  const entry = (code: string | number) => spec.errors.find((e) => String(e.code) === String(code));

  it("finds every code of every table, and the envelope of the example frame", () => {
    expect(spec.errors.map((e) => String(e.code)).sort()).toEqual(
      ["INVALID_API_KEY", "TOO_MANY_CONNECTIONS", "MAINTENANCE", "SYMBOL_NOT_FOUND", "RATE_LIMIT", "BAD_JSON", "INTERNAL", "4000", "4001", "1011"].sort(),
    );
    expect(spec.dialect.frames[0]).toMatchObject({
      match: [{ path: "event", equals: "error" }],
      code: "error.code",
      message: "error.message",
      requestId: "reqid",
    });
    expect(result.problems).toEqual([]);
  });

  it("infers kinds, layers and directives from the words", () => {
    expect(entry("INVALID_API_KEY")).toMatchObject({ kind: "unauthenticated", upgrade: { status: 401 }, retry: { directive: "stop" } });
    expect(entry("TOO_MANY_CONNECTIONS")).toMatchObject({ kind: "connection-limit", retry: { directive: "free-connection" } });
    expect(entry("MAINTENANCE")).toMatchObject({ kind: "service-unavailable", retry: { directive: "reconnect" } });
    expect(entry("RATE_LIMIT")).toMatchObject({ kind: "rate-limited", retry: { directive: "retry-later", delay: { ms: 1000 } } });
    expect(entry("BAD_JSON")?.kind).toBe("invalid-message");
    expect(entry(4000)).toMatchObject({ kind: "heartbeat-timeout", close: { code: 4000 }, retry: { directive: "reconnect" } });
    expect(entry(4001)).toMatchObject({ kind: "unauthenticated", retry: { directive: "refresh-credentials" } });
  });

  it("marks every inference for review with the words it came from, and facts not at all", () => {
    expect(result.yaml).toContain('kind: rate-limited # review: kind inferred from "Too many messages"');
    expect(result.yaml).toContain('# review: directive from "Close an existing connection"');
    // Heartbeat timeouts usually resume, which needs sequence ids this page never shows.
    expect(result.yaml).toContain("no sequence ids on the page, so reconnect");
    const inferredKinds = spec.errors.length;
    expect(result.yaml.match(/kind inferred from/g)?.length).toBe(inferredKinds);
  });
});

describe("tables as vendors title them", () => {
  it("skips success rows, reads plural and recommendation columns, and numbers without backticks", () => {
    const page = [
      "| HTTP Status | Description | Typical Cause |",
      "| ---: | --- | --- |",
      "| 200 | OK | Request succeeded |",
      "| 401 | Unauthorized | Missing or invalid API key |",
      "",
      "| Error Codes | Meaning | Recommendation |",
      "| --- | --- | --- |",
      "| 0 | Success | - |",
      "| 3001 | Rate limit exceeded | Reduce request frequency, then retry the request |",
      "| 4002 | Invalid message format | Check JSON format |",
      "",
    ].join("\n");
    const spec = draftOf(page, "vendor");
    expect(spec.errors.map((e) => [e.code, e.kind, e.retry.directive, e.upgrade?.status ?? "frame"])).toEqual([
      // "Unauthorized" and "Missing or invalid API key" read together: a key, which a client cannot refresh.
      [401, "unauthenticated", "stop", 401],
      [3001, "rate-limited", "retry-later", "frame"],
      [4002, "invalid-message", "stop", "frame"],
    ]);
  });
});

describe("tables written as plain lines (a site's export that lost its pipes)", () => {
  it("reads a header of column titles and rows led by their code, a scope of several words included", () => {
    const spec = draftOf(readFileSync(join(import.meta.dirname, "fixtures", "import", "plain-lines.md"), "utf8"), "lines");
    expect(spec.errors.map((e) => [String(e.code), e.kind, e.scope, e.upgrade?.status ?? "frame"])).toEqual([
      // The status table's 401 row describes token_rejected: its refused upgrade, not an entry of its own.
      ["token_rejected", "unauthenticated", "connection", 401],
      ["symbol_unknown", "not-found", "command", "frame"],
      ["bad_frame", "invalid-message", "both", "frame"],
      ["invalid_message", "invalid-message", "connection", "frame"],
      ["429", "rate-limited", "connection", 429],
    ]);
    // "The connection closes": whatever close follows its frame.
    expect(spec.errors[0]?.close).toMatchObject({ afterFrame: true, code: 1008 });
  });
});

describe("code ranges written as text", () => {
  it("become fallbacks on the layer of their table, with the kind and directive their words say", () => {
    const page = [
      "## Close codes",
      "",
      "| Close code | Meaning | Retry |",
      "| --- | --- | --- |",
      "| 4000-4099 | Server-side failure, try again later | reconnect |",
      "| 49xx | Authentication problems | no |",
      "| 4100 | Kicked by an administrator. | no |",
      "",
    ].join("\n");
    const result = importMarkdown(page, { name: "ranges" });
    const spec = draftOf(page, "ranges");
    expect(spec.dialect.fallbacks).toMatchObject([
      { layer: "close", from: 4000, to: 4099, kind: "service-unavailable", retry: { directive: "reconnect" } },
      { layer: "close", from: 4900, to: 4999, kind: "unauthenticated", retry: { directive: "stop" } },
    ]);
    expect(spec.errors.map((e) => [e.code, e.close?.code])).toEqual([[4100, 4100]]);
    expect(result.yaml).toContain('# review: kind inferred from "Authentication"');
  });
});

describe("ws-errors import", () => {
  const io = (cwd: string): CliIo & { out: string[]; err: string[] } => {
    const out: string[] = [];
    const err: string[] = [];
    return { cwd, out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), stdin: async () => "" };
  };

  it("writes a draft that lints and generates, and never overwrites one without --force", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-errors-import-"));
    writeFileSync(join(dir, "acme.md"), readFileSync(join(import.meta.dirname, "fixtures", "import", "vendor-style.md")));
    const first = io(dir);
    expect(await runCli(["import", "acme.md", "--out", "catalogs/acme.yaml"], first)).toBe(0);
    expect(first.err.join("")).toMatch(/10 entries written to catalogs\/acme\.yaml; \d+ lines to review \(# review:\); lints clean/);
    expect(existsSync(join(dir, "catalogs", "acme.yaml"))).toBe(true);
    const again = io(dir);
    expect(await runCli(["import", "acme.md", "--out", "catalogs/acme.yaml"], again)).toBe(1);
    expect(again.err.join("")).toContain("exists; pass --force to overwrite it");
    expect(await runCli(["import", "acme.md", "--out", "catalogs/acme.yaml", "--force"], io(dir))).toBe(0);
    const generated = io(dir);
    expect(await runCli(["generate", "--catalog", "catalogs/acme.yaml", "--out", "src/ws-errors"], generated), generated.err.join("")).toBe(0);
    expect(existsSync(join(dir, "src", "ws-errors", "acme.ts"))).toBe(true);
  });

  it("reads HTML and AsyncAPI pages, from the page's own look or as --format says, and writes to standard output with --out -", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-errors-import-"));
    for (const file of ["nested-tables.html", "asyncapi.yaml"])
      writeFileSync(join(dir, file), readFileSync(join(import.meta.dirname, "fixtures", "import", "own", file)));
    const html = io(dir);
    expect(await runCli(["import", "nested-tables.html", "--name", "kestrel", "--out", "-"], html)).toBe(0);
    expect(html.out.join("")).toContain("name: kestrel");
    expect(html.err.join("")).toMatch(/11 entries; \d+ lines to review/);
    expect(existsSync(join(dir, "-"))).toBe(false);
    const asyncapi = io(dir);
    expect(await runCli(["import", "asyncapi.yaml", "--format", "asyncapi"], asyncapi)).toBe(0);
    expect(asyncapi.err.join("")).toMatch(/10 entries; \d+ lines to review \(# review:\); lints clean/);
    const wrong = io(dir);
    expect(await runCli(["import", "asyncapi.yaml", "--format", "pdf"], wrong)).not.toBe(0);
    expect(wrong.err.join("")).toContain("Allowed choices are markdown, html, asyncapi");
  });

  it("names what is wrong with an AsyncAPI document it cannot read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-errors-import-"));
    writeFileSync(join(dir, "broken.yaml"), "asyncapi: 3.0.0\ninfo: [unclosed\n");
    const run = io(dir);
    expect(await runCli(["import", "broken.yaml"], run)).toBe(1);
    expect(run.err.join("")).toMatch(/ws-errors import: broken\.yaml is not a readable AsyncAPI document: .*at line \d+, column \d+/);
  });

  it("says so when a page has no error table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ws-errors-import-"));
    writeFileSync(join(dir, "prose.md"), "# Errors\n\nSomething went wrong, probably.\n");
    const run = io(dir);
    expect(await runCli(["import", "prose.md"], run)).toBe(1);
    expect(run.err.join("")).toContain("no error table found");
  });
});
