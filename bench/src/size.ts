import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build, transform } from "esbuild";
import type { Figure } from "./stats";

const GOALS: Record<string, string> = {
  "@ws-errors/core + one catalog (full codec)": "≤ 5 KB (budget in CI: .size-limit.cjs)",
  "@ws-errors/core + one catalog's decoder": "≤ 5 KB (budget in CI: .size-limit.cjs)",
  "@ws-errors/rxjs + one catalog's decoder, beyond rxjs": "≤ 8 KB (budget in CI: .size-limit.cjs)",
};

/** The browser bundle sizes size-limit measures (bench/.size-limit.cjs), against rxjs/webSocket; then what each part of our two client bundles weighs. */
export async function sizeBenchmarks(): Promise<Figure[]> {
  return [
    ...budgets(),
    ...(await composition("core + one catalog's decoder", "size/core-decoder.js")),
    ...(await composition("@ws-errors/rxjs + one catalog's decoder", "size/rxjs-catalog.js")),
  ];
}

function budgets(): Figure[] {
  const bin = resolve(dirname(createRequire(import.meta.url).resolve("size-limit/package.json")), "bin.js");
  const rows = JSON.parse(execFileSync(process.execPath, [bin, "--json"], { cwd: resolve(import.meta.dirname, ".."), encoding: "utf8" })) as {
    name: string;
    size: number;
  }[];
  const base = rows.find((r) => r.name.startsWith("rxjs/webSocket"))?.size ?? Number.NaN;
  return rows.map((row) => ({
    suite: "size",
    name: `${row.name}: esbuild bundle, minified, gzipped`,
    median: row.size,
    spread: [row.size, row.size],
    unit: "B",
    baseline: "`rxjs/webSocket` alone",
    baselineMedian: base,
    ratio: row.size / base,
    ratioSpread: [row.size / base, row.size / base],
    ...(GOALS[row.name] !== undefined && { goal: GOALS[row.name] }),
  }));
}

/* The parts a client bundle is made of, by source file (a path that matches), in the order tried. */
const SPEC = /^$/;
const GENERATED = /\/generated\//;
const PARTS: readonly (readonly [string, RegExp])[] = [
  ["the catalog's spec (its JSON text)", SPEC],
  ["the catalog's classes and decoder wiring (its generated module without the spec)", GENERATED],
  ["error classes and kinds (errors.ts, kinds.ts)", /\/core\/src\/(errors|kinds)\.ts$/],
  ["the fallback policy (retry-policy.ts)", /\/core\/src\/retry-policy\.ts$/],
  ["the decoding runtime (codec.ts and the path, text and template helpers)", /\/core\/src\/(codec|path|text|template|internal|matching)\.ts$/],
  ["the client session (session.ts, decide.ts)", /\/core\/src\/(session|decide)\.ts$/],
  ["the RxJS adapter (packages/rxjs)", /\/rxjs\/src\//],
];

const gz = async (code: string) => gzipSync((await transform(code, { minify: true, format: "esm", logLevel: "silent" })).code, { level: 9 }).length;

/*
 * What each part of a bundle weighs, gzipped: the bundle built from the packages' sources (so each
 * file is its own section; the built packages are one file each) and gzipped whole, then again
 * without the part. Gzip is not additive: a part's figure is what the bundle would lose without it,
 * and the parts need not add up to the whole. rxjs is left out, as in the size-limit entry.
 */
async function composition(bundleName: string, entry: string): Promise<Figure[]> {
  const result = await build({
    entryPoints: [resolve(import.meta.dirname, "..", entry)],
    bundle: true,
    write: false,
    minifySyntax: true,
    format: "esm",
    platform: "browser",
    conditions: ["ws-errors-source"],
    external: ["rxjs", "rxjs/*"],
    logLevel: "silent",
  });
  const text = (result.outputFiles[0] as { text: string }).text;
  const sections = text.split(/^(?=\/\/ \S+\n)/m).map((body) => ({ path: /^\/\/ (\S+)\n/.exec(body)?.[1] ?? "", body }));
  const whole = await gz(text);
  // The spec is one string literal in the generated module, which parses it at start-up: a part of
  // its own, so the module's part is the rest of it (measured against the bundle without the spec).
  const spec = /JSON\.parse\(("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\)/.exec(text)?.[1] ?? "";
  const withoutSpec = await gz(text.replace(spec, '"{}"'));
  const figures: Figure[] = [];
  for (const [label, files] of PARTS) {
    let weight: number;
    if (files === SPEC) weight = whole - withoutSpec;
    else {
      const kept = sections.filter((s) => !files.test(s.path));
      if (kept.length === sections.length) continue;
      weight = files === GENERATED ? withoutSpec - (await gz(kept.map((s) => s.body).join(""))) : whole - (await gz(kept.map((s) => s.body).join("")));
    }
    figures.push({
      suite: "size",
      name: `${bundleName}, part: ${label}`,
      median: weight,
      spread: [weight, weight],
      unit: "B",
      baseline: "the whole bundle (built from the sources, esbuild minified, gzip -9)",
      baselineMedian: whole,
      ratio: weight / whole,
      ratioSpread: [weight / whole, weight / whole],
    });
  }
  return figures;
}
