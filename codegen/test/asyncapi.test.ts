import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { BUNDLED_DIR, loadCatalogFile, runCli, toAsyncApi, type CliIo } from "@ws-errors/codegen";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";

interface Parsed {
  errors: string[];
  messages: { id: string; name: string; payload: Record<string, unknown> | null; xWsErrors: Record<string, unknown> | undefined }[];
}

/** Runs the AsyncAPI parser (in plain Node) over documents; one result per document. */
function validate(documents: readonly object[]): Parsed[] {
  const output = execFileSync(process.execPath, [join(import.meta.dirname, "asyncapi-validate.cjs")], {
    input: documents.map((d) => JSON.stringify(d)).join("\n"),
    encoding: "utf8",
  });
  return output
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as Parsed);
}

const catalogs = readdirSync(BUNDLED_DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();
const specs = catalogs.map((file) => {
  const result = loadCatalogFile(join(BUNDLED_DIR, file));
  if (!result.ok) throw new Error("bundled catalog must load");
  return result.spec;
});

// The AsyncAPI parser runs in a child process of its own: seconds alone, much more while every
// package's tests share two cores.
describe("ws-errors export --asyncapi", { timeout: 120_000 }, () => {
  const documents = specs.map(toAsyncApi);
  const parsed = validate(documents);

  it.each(specs.map((spec, i) => [spec.name, i] as const))("%s is a valid AsyncAPI 3 document to the AsyncAPI parser", (_name, i) => {
    const spec = specs[i]!;
    const result = parsed[i]!;
    expect(result.errors).toEqual([]);
    const frames = spec.errors.filter((e) => e.frame);
    expect(result.messages.map((m) => m.name).sort()).toEqual(frames.map((e) => String(e.frame!.code)).sort());
    for (const entry of frames) {
      expect(result.messages.find((m) => m.name === String(entry.frame!.code))?.xWsErrors).toMatchObject({
        id: entry.id,
        kind: entry.kind,
        retry: entry.retry,
      });
    }
    const document = documents[i] as Record<string, unknown[]>;
    expect(document["x-ws-handshake-rejections"]).toHaveLength(spec.errors.filter((e) => e.upgrade).length);
    expect(document["x-ws-close-codes"]).toHaveLength(spec.errors.filter((e) => e.close).length);
  });

  it("prints YAML through the CLI, with the entry's code fixed in the payload schema", async () => {
    const out: string[] = [];
    const io: CliIo = { cwd: process.cwd(), stdout: (t) => out.push(t), stderr: () => undefined, stdin: async () => "" };
    expect(await runCli(["export", "--asyncapi", "collective2"], io)).toBe(0);
    const [result] = validate([parse(out.join("")) as object]);
    expect(result!.errors).toEqual([]);
    const forbidden = result!.messages.find((m) => m.name === "FORBIDDEN")!;
    expect((forbidden.payload as { properties: { payload: { properties: { code: { const: string } } } } }).properties.payload.properties.code.const).toBe(
      "FORBIDDEN",
    );
  });
});
