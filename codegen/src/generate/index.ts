import { basename } from "node:path";
import type { CatalogSpec } from "@ws-errors/core";
import { generateDocs } from "./docs";
import { generateModule, generateReferenceModule } from "./module";
import { BUNDLED_OUTPUT, type GenerateOptions } from "./output";

export { BUNDLED_OUTPUT, type GenerateOptions } from "./output";

/** One output file, in memory. `kind` decides which output folder it goes to. */
export interface GeneratedFile {
  readonly kind: "code" | "docs";
  readonly name: string;
  readonly content: string;
}

/**
 * Every output of a set of catalogs, in memory: nothing is written here, so a failure leaves no
 * half-written output.
 *
 * @example
 * ```ts
 * const files = generate([{ spec, file: "catalogs/collective2.yaml" }]);
 * ```
 */
export function generate(catalogs: readonly { readonly spec: CatalogSpec; readonly file: string }[], options: GenerateOptions = {}): GeneratedFile[] {
  const where = { ...BUNDLED_OUTPUT, ...options };
  const files: GeneratedFile[] = [];
  for (const { spec, file } of [...catalogs].sort((a, b) => a.spec.name.localeCompare(b.spec.name))) {
    const source = basename(file);
    files.push({ kind: "code", name: `${spec.name}.ts`, content: generateModule(spec, source, where) });
    files.push({ kind: "code", name: `${spec.name}.reference.ts`, content: generateReferenceModule(spec, source, where) });
    files.push({ kind: "docs", name: `${spec.name}.md`, content: generateDocs(spec, source, where) });
  }
  return files;
}
