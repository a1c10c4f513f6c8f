import { readdirSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const GENERATED = resolve(import.meta.dirname, "../../core/src/generated");
const catalogs = readdirSync(GENERATED)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".reference.ts"))
  .map((f) => f.slice(0, -3));

/** The files that put bytes in a browser bundle of `source`, built from the packages' sources as a user's bundler would from dist. */
async function inputs(source: string): Promise<string[]> {
  return (await bundle(source)).files;
}

async function bundle(source: string): Promise<{ output: string; files: string[] }> {
  const result = await build({
    stdin: { contents: source, resolveDir: import.meta.dirname, loader: "ts" },
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "browser",
    conditions: ["ws-errors-source"],
    external: ["rxjs"],
    metafile: true,
    logLevel: "silent",
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return {
    output: result.outputFiles[0]!.text,
    files: Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([file]) => file),
  };
}

/* A piece of the template code that minifying leaves as it is: the number check of a capture. */
const TEMPLATE_CODE = "[eE][-+]?[0-9]+";
/* And of the condition compiler: its test of `notEquals`. */
const CONDITION_CODE = ".notEquals!==void 0";

describe("browser bundles are tree-shaken", () => {
  it.each(catalogs)("a bundle of core + %s holds that catalog only, no reference text and nothing from Node", async (name) => {
    const files = await inputs(`import * as c from "@ws-errors/core/catalogs/${name}"; console.log(c);`);
    expect(files.filter((f) => f.includes("/generated/"))).toEqual([expect.stringMatching(new RegExp(`/generated/${name}\\.ts$`))]);
    expect(files.filter((f) => f.startsWith("node:") || /node_modules\/(ws|ioredis)\//.test(f))).toEqual([]);
    // The client engine stays out of an app that only decodes and encodes.
    expect(files.some((f) => f.endsWith("/session.ts"))).toBe(false);
  });

  it("only a catalog with message templates, unspecialized conditions or entries told apart by more than their code carries their code", async () => {
    for (const name of catalogs) {
      const { output, files } = await bundle(
        `import { ${name.replace(/-(\w)/g, (_, c: string) => c.toUpperCase())} as c } from "@ws-errors/core/catalogs/${name}"; console.log(c);`,
      );
      expect(output, name).not.toContain(TEMPLATE_CODE);
      expect(output, name).not.toContain(CONDITION_CODE);
      // Every bundled catalog tells its entries apart by code alone.
      expect(
        files.filter((f) => f.endsWith("/core/src/matching.ts")),
        name,
      ).toEqual([]);
    }
    // Murmur has message templates; Quarry has entries told apart by `when` conditions.
    const test = (name: string) => JSON.stringify(resolve(import.meta.dirname, `../../../codegen/test/catalogs/generated/${name}.ts`));
    expect((await bundle(`import { murmur } from ${test("murmur")}; console.log(murmur);`)).output).toContain(TEMPLATE_CODE);
    const quarry = await bundle(`import { quarry } from ${test("quarry")}; console.log(quarry);`);
    expect(quarry.output).toContain(CONDITION_CODE);
    expect(quarry.files.some((f) => f.endsWith("/core/src/matching.ts"))).toBe(true);
  });

  it("a bundle of a catalog's decoder carries no encoder; the full codec does", async () => {
    // Pieces of the encoders that minifying leaves as they are: the upgrade response's content type, the stamps' clock.
    const ENCODER_CODE = ["application/json; charset=utf-8", "toISOString"];
    const decoder = (await bundle(`import { collective2Decoder } from "@ws-errors/core/catalogs/collective2"; console.log(collective2Decoder);`)).output;
    const codec = (await bundle(`import { collective2 } from "@ws-errors/core/catalogs/collective2"; console.log(collective2);`)).output;
    const adapter = (
      await bundle(
        `import { collective2Decoder } from "@ws-errors/core/catalogs/collective2"; import { wsErrorsConnection } from "@ws-errors/rxjs"; console.log(wsErrorsConnection("wss://x", { codec: collective2Decoder }));`,
      )
    ).output;
    for (const piece of ENCODER_CODE) {
      expect(decoder).not.toContain(piece);
      expect(adapter).not.toContain(piece);
      expect(codec).toContain(piece);
    }
    expect(decoder.length).toBeLessThan(codec.length * 0.85);
    // Nor the table of every kind (its directives, its class names): kind classes name their own.
    // Collective2 has no data-loss or unimplemented entry, and neither is in a fallback table.
    for (const kind of ["data-loss", "unimplemented", "DataLossError", "UnimplementedError"]) {
      expect(decoder).not.toContain(kind);
      expect(codec).not.toContain(kind);
    }
  });

  it.each(catalogs)("a bundle of %s's error classes and guards alone carries no decoding runtime", async (name) => {
    // What an app that only tells errors apart imports: classes for instanceof/ofType, the guards.
    const module = await import(`../../core/src/generated/${name}.ts`);
    const names = Object.keys(module).filter((key) => /^is[A-Z]\w*Error$/.test(key) || (/Error$/.test(key) && typeof module[key] === "function"));
    expect(names.length, name).toBeGreaterThan(1);
    const files = await inputs(`import { ${names.join(", ")} } from "@ws-errors/core/catalogs/${name}"; console.log(${names.join(", ")});`);
    expect(
      files.filter((f) => /\/core\/src\/(codec|retry-policy|session)\.ts$/.test(f)),
      name,
    ).toEqual([]);
    expect(files.some((f) => f.endsWith(`/generated/${name}.ts`))).toBe(true);
  });

  it("a bundle of the RxJS adapter and one catalog holds nothing from Node and no other catalog", async () => {
    const files = await inputs(
      `import { wsErrorsConnection } from "@ws-errors/rxjs"; import { tickdb } from "@ws-errors/core/catalogs/tickdb"; console.log(wsErrorsConnection("wss://x", { codec: tickdb }));`,
    );
    expect(files.filter((f) => f.includes("/generated/"))).toEqual([expect.stringMatching(/\/generated\/tickdb\.ts$/)]);
    expect(files.filter((f) => f.startsWith("node:") || /node_modules\/(ws|ioredis)\//.test(f) || f.includes("/packages/node/"))).toEqual([]);
  });
});
