import type { CatalogSpec, EntrySpec, WireCode } from "@ws-errors/core";

export type Bump = "major" | "minor" | "patch";

/** One difference between two versions of a catalog, with what it means for semver. */
export interface Change {
  readonly bump: Bump;
  /** The entry concerned, or `dialect` / `catalog`. */
  readonly subject: string;
  readonly what: string;
}

export interface CatalogDiff {
  readonly catalog: string;
  readonly changes: readonly Change[];
  /** The largest bump any change needs; `undefined` when nothing changed. */
  readonly bump: Bump | undefined;
}

const RANK: Record<Bump, number> = { patch: 1, minor: 2, major: 3 };

/** The larger of two bumps. */
export function maxBump(a: Bump | undefined, b: Bump | undefined): Bump | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const show = (value: unknown) => (value === undefined ? "none" : JSON.stringify(value));

/**
 * Every wire code an entry answers to, by layer, for spotting a code that changed meaning: with
 * whatever tells entries sharing a code apart (a label, `when`, a template, a close's reason), so
 * that two entries told apart on the wire never look like one code.
 */
function wireCodes(entry: EntrySpec): string[] {
  const codes: string[] = [];
  const { frame, close, browserFallback } = entry;
  if (frame)
    codes.push(
      `frame code ${show(frame.code)}${frame.label !== undefined ? ` labelled ${show(frame.label)}` : ""}${frame.when ? ` when ${show(frame.when)}` : ""}${frame.template !== undefined ? ` worded ${show(frame.template)}` : ""}`,
    );
  if (frame?.label !== undefined) codes.push(`frame label ${show(frame.label)}`);
  for (const alias of entry.aliases ?? []) codes.push(`alias ${show(alias)}`);
  if (entry.upgrade) codes.push(`upgrade body code ${show(entry.code)}`);
  if (close) codes.push(close.anyCode ? `close reason ${show(close.reason)}` : `close ${close.code}${close.matchReason ? ` ${show(close.reason)}` : ""}`);
  if (browserFallback) codes.push(`close ${browserFallback.code} ${show(browserFallback.reason)}`);
  return codes;
}

/**
 * Classifies every change between two versions of a catalog. Anything a client matches on is
 * major: removing an entry, changing one of its codes, its kind, scope, layers or retry directive,
 * renaming its class, removing or retyping a detail field, reusing a code for another entry, and
 * any change to how frames are laid out. Adding an entry, an optional detail field or a
 * deprecation is minor; text alone (summaries, messages, descriptions, guidance) is a patch.
 *
 * @example
 * ```ts
 * const { bump, changes } = diffCatalogs(before, after);
 * if (bump === "major") console.log(changes.filter((c) => c.bump === "major"));
 * ```
 */
export function diffCatalogs(before: CatalogSpec, after: CatalogSpec): CatalogDiff {
  const changes: Change[] = [];
  const add = (bump: Bump, subject: string, what: string) => changes.push({ bump, subject, what });
  const oldById = new Map(before.errors.map((e) => [e.id, e]));
  const newById = new Map(after.errors.map((e) => [e.id, e]));

  if (before.name !== after.name) add("major", "catalog", `renamed ${show(before.name)} → ${show(after.name)} (the generated module moves)`);
  for (const key of ["frames", "requests", "sequence", "upgrade"] as const) {
    if (!same(before.dialect[key], after.dialect[key])) add("major", "dialect", `${key} changed: ${show(before.dialect[key])} → ${show(after.dialect[key])}`);
  }
  for (const key of ["success", "fallbacks"] as const) {
    if (!same(before.dialect[key], after.dialect[key])) add("minor", "dialect", `${key} changed`);
  }
  for (const key of ["title", "description", "version"] as const) {
    if (!same(before[key], after[key])) add("patch", "catalog", `${key} changed`);
  }
  if (!same(before.dialect.notes, after.dialect.notes)) add("patch", "dialect", "notes changed");

  // A code that now names another entry is the most dangerous drift: old clients decode it wrongly.
  // Every entry that answered to a code: one the entry already answered to is not a move.
  const oldCodes = new Map<string, string[]>();
  for (const e of before.errors) for (const c of wireCodes(e)) oldCodes.set(c, [...(oldCodes.get(c) ?? []), e.id]);
  for (const entry of after.errors) {
    for (const code of wireCodes(entry)) {
      const owners = oldCodes.get(code);
      const was = owners?.[0];
      if (was === undefined || owners?.includes(entry.id)) continue;
      if (!newById.has(was)) add("major", entry.id, `${code} meant ${show(was)} and now means ${show(entry.id)}`);
      else add("major", entry.id, `${code} moved from ${show(was)} to ${show(entry.id)}`);
    }
  }

  for (const old of before.errors) {
    const next = newById.get(old.id);
    if (!next) {
      add("major", old.id, `removed (${wireCodes(old).join(", ")})`);
      continue;
    }
    const id = old.id;
    if (old.className !== next.className) add("major", id, `class renamed ${old.className} → ${next.className}`);
    if (!same(old.code, next.code)) add("major", id, `code ${show(old.code)} → ${show(next.code)}`);
    if (old.kind !== next.kind) add("major", id, `kind ${old.kind} → ${next.kind}`);
    if (old.scope !== next.scope) add("major", id, `scope ${old.scope} → ${next.scope}`);
    // Why a directive was chosen (`because`) is text; the directive and its delay are what clients act on.
    const acted = (retry: EntrySpec["retry"]) => ({ ...retry, because: undefined });
    if (!same(acted(old.retry), acted(next.retry))) add("major", id, `retry ${show(old.retry)} → ${show(next.retry)}`);
    else if (old.retry.because !== next.retry.because) add("patch", id, "retry reason reworded");
    for (const alias of old.aliases ?? [])
      if (!(next.aliases ?? []).some((a) => same(a, alias))) add("major", id, `alias ${show(alias)} removed (frames with it no longer decode to this entry)`);
    for (const alias of next.aliases ?? []) if (!(old.aliases ?? []).some((a) => same(a, alias))) add("minor", id, `alias ${show(alias)} added`);
    for (const layer of ["frame", "upgrade", "close", "browserFallback"] as const) {
      const a = old[layer];
      const b = next[layer];
      if (a === undefined && b !== undefined) add("major", id, `now also on the ${layer} layer`);
      else if (a !== undefined && b === undefined) add("major", id, `no longer on the ${layer} layer`);
      else if (!same(a, b)) {
        // A close reason that clients do not match on, or header text, is text; anything else is wire.
        const textOnly =
          layer === "close"
            ? old.close?.code === next.close?.code && !old.close?.matchReason && !next.close?.matchReason
            : layer === "upgrade"
              ? old.upgrade?.status === next.upgrade?.status
              : layer === "browserFallback" && old.browserFallback?.code === next.browserFallback?.code;
        add(textOnly ? "patch" : "major", id, `${layer} ${show(a)} → ${show(b)}`);
      }
    }
    for (const [name, detail] of Object.entries(old.details)) {
      const now = next.details[name];
      if (!now) add("major", id, `detail ${name} removed`);
      else if (now.type !== detail.type) add("major", id, `detail ${name} ${detail.type} → ${now.type}`);
      else if (now.summary !== detail.summary) add("patch", id, `detail ${name} reworded`);
    }
    for (const name of Object.keys(next.details)) if (!(name in old.details)) add("minor", id, `optional detail ${name} added`);
    if (old.deprecated === undefined && next.deprecated !== undefined) add("minor", id, `deprecated: ${next.deprecated}`);
    else if (old.deprecated !== next.deprecated) add("patch", id, "deprecation note changed");
    for (const key of ["summary", "message", "description", "guidance"] as const) {
      if (old[key] !== next[key]) add("patch", id, `${key} reworded`);
    }
  }
  for (const entry of after.errors) if (!oldById.has(entry.id)) add("minor", entry.id, `added (${wireCodes(entry).join(", ")})`);

  const bump = changes.reduce<Bump | undefined>((acc, c) => maxBump(acc, c.bump), undefined);
  return { catalog: after.name, changes: [...changes].sort((a, b) => RANK[b.bump] - RANK[a.bump]), bump };
}

/** A diff as a Markdown table. */
export function diffTable(diff: CatalogDiff): string {
  if (diff.changes.length === 0) return `${diff.catalog}: no changes\n`;
  const rows = diff.changes.map((c) => `| ${c.bump} | ${c.subject} | ${c.what.replace(/\|/g, "\\|")} |`);
  return `${diff.catalog}: ${diff.bump} (${diff.changes.length} change${diff.changes.length === 1 ? "" : "s"})\n\n| bump | entry | change |\n| --- | --- | --- |\n${rows.join("\n")}\n`;
}

export type { WireCode };
