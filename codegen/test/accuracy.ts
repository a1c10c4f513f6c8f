import { importDocs, loadCatalogText } from "@ws-errors/codegen";
import type { CatalogSpec, EntrySpec } from "@ws-errors/core";

/* How well `ws-errors import` reads a page, entry by entry against the catalog written by hand
   from the same docs. Shared by the accuracy test and by anyone measuring a page of their own. */

export interface Accuracy {
  /** Entries of the hand-written catalog whose code (or close reason) the page shows. */
  readonly entries: number;
  readonly found: number;
  readonly kinds: number;
  readonly directives: number;
  readonly layers: number;
  /** Entries of the catalog that come from elsewhere (another page, the author's choice). */
  readonly notOnPage: readonly string[];
  readonly misses: readonly string[];
}

const layersOf = (e: EntrySpec) => [e.frame ? "frame" : "", e.upgrade ? "upgrade" : "", e.close ? "close" : ""].filter(Boolean).join("+");

/**
 * Entry by entry: a catalog entry is matched with the draft's entry of the same code that shares
 * a layer with it, else with the draft's entry named by its status or close code (a status or
 * close table row with no code of its own), else with any of the same code. Layers are right when the same
 * layers (frame, upgrade, close) are present; kinds and directives when equal.
 */
export function accuracy(page: string, truth: CatalogSpec, format?: "markdown" | "html" | "asyncapi"): Accuracy {
  const loaded = loadCatalogText(importDocs(page, { name: truth.name, ...(format && { format }) }).yaml, `${truth.name}.yaml`);
  if (!loaded.ok) throw new Error(`the draft of ${truth.name} does not load: ${loaded.problems.map((p) => p.message).join("; ")}`);
  const draft = loaded.spec.errors;
  const shown = (text: string) => new RegExp(`(^|[^\\w])${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\w])`, "i").test(page);
  const counted = truth.errors.filter((e) => shown(String(e.code)) || (e.close?.reason !== undefined && shown(e.close.reason)));
  const misses: string[] = [];
  let found = 0;
  let kinds = 0;
  let directives = 0;
  let layers = 0;
  for (const e of counted) {
    const same = draft.filter((d) => String(d.code) === String(e.code));
    const match =
      same.find((d) => (d.frame && e.frame) || (d.upgrade && e.upgrade) || (d.close && e.close)) ??
      draft.find((d) => String(d.code) === String(e.upgrade?.status ?? e.close?.code)) ??
      same[0];
    if (!match) {
      misses.push(`${e.code}: not found`);
      continue;
    }
    found++;
    const wrong = [
      match.kind === e.kind ? "" : `kind ${match.kind}, not ${e.kind}`,
      match.retry.directive === e.retry.directive ? "" : `directive ${match.retry.directive}, not ${e.retry.directive}`,
      layersOf(match) === layersOf(e) ? "" : `layers ${layersOf(match)}, not ${layersOf(e)}`,
    ];
    if (!wrong[0]) kinds++;
    if (!wrong[1]) directives++;
    if (!wrong[2]) layers++;
    if (wrong.some(Boolean)) misses.push(`${e.code}: ${wrong.filter(Boolean).join("; ")}`);
  }
  return {
    entries: counted.length,
    found,
    kinds,
    directives,
    layers,
    notOnPage: truth.errors.filter((e) => !counted.includes(e)).map((e) => String(e.code)),
    misses,
  };
}

/** What a reference page states of each entry, in a comparable order (white space runs collapsed, as HTML and tables do). */
export function statedShape(spec: CatalogSpec) {
  return spec.errors
    .map((e) => ({
      code: String(e.frame?.code ?? e.code),
      kind: e.kind,
      directive: e.retry.directive,
      layers: [
        e.frame ? "frame" : "",
        e.upgrade ? `upgrade ${e.upgrade.status}` : "",
        e.close ? `close ${e.close.afterFrame ? "after frame" : e.close.code}` : "",
      ].join(" "),
      scope: e.scope,
      summary: e.summary.replace(/\s+/g, " ").trim(),
    }))
    .sort((a, b) => `${a.code}\n${a.summary}`.localeCompare(`${b.code}\n${b.summary}`));
}
