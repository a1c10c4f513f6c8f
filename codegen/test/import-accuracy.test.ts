import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLED_DIR, loadCatalogFile } from "@ws-errors/codegen";
import { describe, expect, it } from "vitest";
import { type Accuracy, accuracy } from "./accuracy";

/* How well `ws-errors import` reads the five APIs the project started from: each API's error page,
   its facts carried into a fixture of our own (same tables, statuses, close codes and examples,
   descriptions in our words), imported and compared entry by entry with the catalog written by
   hand from the same docs. The codegen README publishes these figures; this test keeps them true. */

const PAGES: readonly (readonly [name: string, label: string])[] = [
  ["infoway", "Infoway (one table of numeric codes, nothing else)"],
  ["tickdb-legacy", "TickDB v1 (HTTP statuses, message codes, example bodies)"],
  ["tickdb", "TickDB v2 (a quick-reference table of code families)"],
  ["collective2", "Collective2 (HTTP table, example frames and response, prose)"],
  ["esca-rates", "Esca rates (tables as plain lines, JSON pasted as text, prose)"],
];

/* Pages of our own in the styles real docs use, each with the catalog a careful reader writes
   from it (`fixtures/import/expected/`), written before the importer read them. */
const OWN: readonly (readonly [file: string, label: string])[] = [
  ["close-ranges.md", "A close-code table with names and ranges (Markdown)"],
  ["prose-frames.md", "Errors told only in prose around example frames (Markdown)"],
  ["nested-tables.html", "Tables nested in a table's cells, a status table (HTML)"],
  ["asyncapi.yaml", "An AsyncAPI 2.6 document: oneOf codes, close codes in its description"],
];

const FIXTURES = join(import.meta.dirname, "fixtures", "import");
const measured = new Map<string, Accuracy>();
function measure(page: string, catalog: string): Accuracy {
  const cached = measured.get(page);
  if (cached) return cached;
  const truth = loadCatalogFile(catalog);
  if (!truth.ok) throw new Error(`${catalog} does not load`);
  const result = accuracy(readFileSync(page, "utf8"), truth.spec);
  measured.set(page, result);
  return result;
}
const seed = (name: string) => measure(join(FIXTURES, "seeds", `${name}.md`), join(BUNDLED_DIR, `${name}.yaml`));
const own = (file: string) => measure(join(FIXTURES, "own", file), join(FIXTURES, "expected", `${file.replace(/\.[^.]+$/, "")}.yaml`));

const pct = (n: number, of: number) => (of === 0 ? 1 : n / of);

describe("ws-errors import on the seed APIs' pages", () => {
  it.each([...PAGES.map(([name]) => [name, () => seed(name)] as const), ...OWN.map(([file]) => [file, () => own(file)] as const)])(
    "%s: every code found; layers and directives right for nine entries in ten, kinds for eight",
    (_name, read) => {
      const result = read();
      expect(result.found, result.misses.join("\n")).toBe(result.entries);
      expect(pct(result.layers, result.entries), result.misses.join("\n")).toBeGreaterThanOrEqual(0.9);
      expect(pct(result.directives, result.entries), result.misses.join("\n")).toBeGreaterThanOrEqual(0.9);
      expect(pct(result.kinds, result.entries), result.misses.join("\n")).toBeGreaterThanOrEqual(0.8);
    },
  );

  it("the codegen README publishes exactly these figures", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "README.md"), "utf8");
    for (const [r, label] of [...PAGES.map(([name, label]) => [seed(name), label] as const), ...OWN.map(([file, label]) => [own(file), label] as const)]) {
      const notOnPage = r.notOnPage.length > 0 ? ` (+${r.notOnPage.length} not on the page)` : "";
      expect(readme).toContain(`| ${label} | ${r.entries}${notOnPage} | ${r.found} | ${r.kinds} | ${r.directives} | ${r.layers} |`);
    }
  });
});
