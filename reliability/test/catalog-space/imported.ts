import { generate, importDocs, loadCatalogText } from "@ws-errors/codegen";
import { marked } from "marked";
import { statedShape } from "../../../codegen/test/accuracy";
import type { RawCatalog } from "./arbitrary";

/**
 * The reference page `generate` writes for a catalog, as Markdown or rendered to HTML as a docs
 * site serves it, drafted back by `ws-errors import`: what differs, or undefined when every entry
 * comes back (code, kind, directive, layers, scope, summary).
 */
export function importsBack(raw: RawCatalog, format: "markdown" | "html"): string | undefined {
  const loaded = loadCatalogText(JSON.stringify(raw), "generated.yaml");
  if (!loaded.ok) return "the catalog does not load";
  const markdown = generate([loaded]).find((f) => f.kind === "docs")?.content ?? "";
  const page = format === "html" ? (marked.parse(markdown, { async: false }) as string) : markdown;
  const drafted = loadCatalogText(importDocs(page, { name: raw.name, format }).yaml, "draft.yaml");
  if (!drafted.ok) return `the draft does not load: ${drafted.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`;
  const want = JSON.stringify(statedShape(loaded.spec), null, 1);
  const got = JSON.stringify(statedShape(drafted.spec), null, 1);
  return want === got ? undefined : `imported as\n${got}\ninstead of\n${want}`;
}
