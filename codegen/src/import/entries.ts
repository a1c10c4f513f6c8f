import type { KindName } from "@ws-errors/core";
import { type ExampleCode, exampleCodes, httpExamples, parseJson } from "./envelope";
import { kindAmong, kindOf, roleOf, type Drawn, type Role } from "./infer";
import { atConnect, layersSaid, proseCloses, type PageFacts } from "./layers";
import type { DocPage, DocTable } from "./tables";

/* A page's entries: table rows merged by code across tables, then what the prose and the examples
   add (layers said in words, codes only an example shows, closes only a paragraph describes). */

/** A rule for codes nobody lists, as the page words it: a range or a list, on one layer. */
export interface Rule {
  readonly layer: "frame" | "upgrade" | "close";
  readonly from?: number;
  readonly to?: number;
  readonly codes?: number[];
  readonly summary: string;
  readonly retry: string | undefined;
}

export interface Draft {
  code: string | number;
  label?: string | undefined;
  aliases?: (string | number)[] | undefined;
  summary?: string | undefined;
  template?: string | undefined;
  when?: Record<string, unknown>[] | undefined;
  kind?: string | undefined;
  /** The kind as inferred once every source has been merged. */
  drawn?: Drawn<KindName>;
  scope?: string | undefined;
  frameRetry?: string | undefined;
  upgradeRetry?: string | undefined;
  closeRetry?: string | undefined;
  /** Advice a guidance table gives for this entry, where no retry column does. */
  advice?: string | undefined;
  status?: number | undefined;
  header?: string | undefined;
  close?:
    | {
        code?: number | undefined;
        reason?: string | undefined;
        matchReason?: boolean | undefined;
        anyCode?: boolean | undefined;
        optional?: boolean | undefined;
        afterFrame?: boolean;
      }
    | undefined;
  frame: boolean;
  /** A short name the page gives it beside a numeric code. */
  title?: string | undefined;
  /** Its table lists messages the API sends: a frame, whatever else the words say. */
  framed?: boolean;
  /** A status or close row with no code of its own: its number stands in for one. */
  numbered?: "status" | "close" | undefined;
  text: string[];
  /** Review comments on the entry's layers: what was inferred, from which words. */
  layerNotes: string[];
}

interface Row {
  readonly table: DocTable;
  readonly cells: Partial<Record<Role, string>>;
}

/* "4000-4099", "4000 to 4099", "4xxx", "40xx": a range of numeric codes. */
function rangeOf(text: string | undefined): { from: number; to: number } | undefined {
  const cell = (text ?? "").trim();
  const span = /^(-?\d+)\s*(?:-|–|—|to)\s*(-?\d+)$/i.exec(cell);
  if (span) return { from: Number(span[1]), to: Number(span[2]) };
  const wild = /^(\d+)(x+)$/i.exec(cell);
  if (wild) {
    const base = Number(wild[1]) * 10 ** (wild[2] as string).length;
    return { from: base, to: base + 10 ** (wild[2] as string).length - 1 };
  }
  return undefined;
}

/* "1006" or "1006, 1015": codes a fallback lists. */
function listOf(text: string | undefined): number[] | undefined {
  const cell = (text ?? "").trim();
  return /^\d+(\s*,\s*\d+)*$/.test(cell) ? cell.split(/\s*,\s*/).map(Number) : undefined;
}

export const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
const wire = (text: string): string | number => (/^-?\d+$/.test(text) ? Number(text) : text);
const int = (cell: string | undefined) => {
  const match = cell === undefined ? null : /-?\d+/.exec(cell);
  return match ? Number(match[0]) : undefined;
};
const normal = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

/** Rows of the page's error tables, each cell by the role its column plays. */
function rowsOf(page: DocPage): Row[] {
  const rows: Row[] = [];
  for (const table of page.tables) {
    // Replies that are not errors, and advice keyed by situation, are not entries.
    if (/success|guidance|situation/i.test(table.heading) || /^situation$/i.test(table.header[0] ?? "")) continue;
    const roles = table.header.map(roleOf);
    if (!roles.some((r) => r === "code" || r === "status" || r === "close")) continue;
    // A status table's "Reason" is the status's cause, not a close reason.
    const reasonIsSummary = roles.includes("status") && !roles.includes("close");
    for (const cells of table.rows) {
      const byRole: Partial<Record<Role, string>> = {};
      cells.forEach((cell, i) => {
        const role = roles[i] === "reason" && reasonIsSummary ? "summary" : roles[i];
        if (!role) return;
        // Two descriptive columns ("Description", "Typical cause") say one thing together.
        if (role === "summary" && byRole.summary !== undefined && cell.trim() && cell.trim() !== "-")
          byRole.summary = `${byRole.summary.replace(/\.?\s*$/, "")}. ${cell.trim()}`;
        else if (byRole[role] === undefined) byRole[role] = cell;
      });
      rows.push({ table, cells: byRole });
    }
  }
  return rows;
}

/* Whether an entry has yet to be given the layer a row describes. */
function lacks(draft: Draft | undefined, cells: Partial<Record<Role, string>>): boolean {
  return draft !== undefined && (cells.status !== undefined ? draft.status === undefined : draft.close === undefined);
}

/** Advice keyed by situation: `CODE` (kind) → what to do, and quoted close reasons. */
function situationsOf(page: DocPage): { kinds: Map<string, string[]>; advice: [key: string, advice: string][] } {
  const kinds = new Map<string, string[]>();
  const advice: [string, string][] = [];
  for (const table of page.tables) {
    if (!/^situation$/i.test(table.header[0] ?? "")) continue;
    for (const row of table.rows) {
      const found = /^`([^`]+)`(?: \/ `[^`]+`)? \(([a-z-]+)\)$/.exec(row[0] ?? "");
      if (found) kinds.set(found[1] as string, [...(kinds.get(found[1] as string) ?? []), found[2] as string]);
      advice.push([row[0] ?? "", row[1] ?? ""]);
    }
  }
  return { kinds, advice };
}

/**
 * Every entry the page shows, merged by code, with the rules (ranges, defaults) it states for codes
 * nobody lists and notes on rows that could not be read.
 */
export function collectEntries(page: DocPage): { drafts: Draft[]; rules: Rule[]; notes: string[]; facts: PageFacts } {
  const situations = situationsOf(page);
  const drafts = new Map<string, Draft>();
  const notes: string[] = [];
  const rules: Rule[] = [];
  const hasCloseTable = page.tables.some((t) => t.header.some((h) => roleOf(h) === "close"));
  let facts: PageFacts = {
    credentialsAtConnect: /\bheaders?\b|query (?:parameter|string)|\?\w*(?:key|token)=|in the (?:websocket )?url/i.test(page.text),
    statusTable: page.tables.some((t) => t.header.some((h) => roleOf(h) === "status")),
  };
  for (const { table, cells } of rowsOf(page)) {
    // A range written as text ("4000-4099", "4xxx") or a row that only names close codes or
    // statuses nobody else lists is a rule for codes the catalog does not list: a fallback.
    const numbered = cells.close ?? cells.status ?? (cells.code === undefined ? undefined : cells.code.replace(/`/g, ""));
    const range = rangeOf(numbered);
    if (range || ((cells.close !== undefined || cells.status !== undefined) && cells.code !== undefined && cells.code.trim() === "" && listOf(numbered))) {
      const layer = cells.close !== undefined ? "close" : cells.status !== undefined ? "upgrade" : "frame";
      rules.push({ layer, ...(range ?? { codes: listOf(numbered) as number[] }), summary: (cells.summary ?? "").trim(), retry: cells.retry });
      continue;
    }
    const codes = ticked(cells.code ?? "");
    // A table of close codes or statuses with no code column of its own: that number is the code.
    const own = cells.code === undefined ? (cells.close ?? cells.status)?.match(/\d+/)?.[0] : undefined;
    const first = codes[0] ?? (cells.code?.trim() || own);
    if (!first) {
      if (cells.close || cells.status)
        notes.push(
          `not imported: the row "${Object.values(cells).join(" | ")}" (line ${table.line}) names no code; if it is a range or a default, write it as a fallback`,
        );
      continue;
    }
    const summary = cells.summary?.trim();
    // A success row of a status or code table ("200 OK", "0 Success") is not an error.
    const status = int(cells.status);
    if ((status !== undefined && status < 400) || /^(ok|success(ful)?|no error)\b/i.test(summary ?? "")) continue;
    // Rows of one code and one description are one entry across tables; one code described two
    // ways is two entries (told apart on the wire by a condition or a template).
    const plain = (summary ?? "")
      .replace(/ Message: `[^`]*`\..*$/, "")
      .replace(/ When .*$/, "")
      .replace(/ \(may follow its error frame, or not\)$/, "")
      .replace(/ \(deprecated\)$/, "");
    // Entries alike in code and description but told apart by a condition are several: a frame
    // row keys by its condition too; an upgrade or close row joins the first of them without one.
    const base = `${String(first)}\n${plain}`;
    const frameRow = cells.status === undefined && cells.close === undefined;
    const key = frameRow
      ? `${base}\n${/ When .*$/.exec(summary ?? "")?.[0] ?? ""}`
      : ([...drafts.keys()].find((k) => k.startsWith(`${base}\n`) && lacks(drafts.get(k), cells)) ?? `${base}\n`);
    const draft = drafts.get(key) ?? {
      code: wire(first),
      frame: false,
      text: [],
      layerNotes: [],
      ...(own !== undefined && { numbered: cells.close !== undefined ? "close" : "status" }),
    };
    drafts.set(key, draft);
    if (cells.title?.trim()) draft.title = cells.title.trim();
    if (cells.status !== undefined) {
      draft.status = int(cells.status);
      draft.upgradeRetry ??= cells.retry;
      if (cells.header?.trim()) draft.header = cells.header.trim();
      draft.summary ??= summary;
    } else if (cells.close !== undefined) {
      const afterFrame = /right after its frame|after (the|its) (error )?frame/i.test(cells.close);
      const reason = ticked(cells.reason ?? "")[0];
      draft.close = {
        ...(int(cells.close) !== undefined && !afterFrame && { code: int(cells.close) }),
        ...(afterFrame && { afterFrame: true, ...(int(cells.close) !== undefined && int(cells.close) !== 1008 && { code: int(cells.close) }) }),
        ...(reason !== undefined && { reason }),
        ...(/\(exact\)/i.test(cells.reason ?? "") && { matchReason: true }),
        ...(/whatever the close code/i.test(cells.reason ?? "") && { anyCode: true }),
        ...(summary !== undefined && /may follow its error frame, or not/i.test(summary) && { optional: true }),
      };
      draft.closeRetry ??= cells.retry;
      draft.summary ??= summary?.replace(/ \(may follow its error frame, or not\)$/, "");
    } else {
      draft.frame = true;
      draft.frameRetry ??= cells.retry;
      if (cells.kind) draft.kind = cells.kind;
      if (cells.scope) draft.scope = cells.scope;
      const label = /` \/ `([^`]+)`/.exec(cells.code ?? "")?.[1];
      if (label !== undefined) draft.label = label;
      const aliases = /\(aliases ([^)]*)\)/.exec(cells.code ?? "")?.[1];
      if (aliases) draft.aliases = ticked(aliases).map(wire);
      const template = /Message: `([^`]+)`\./.exec(summary ?? "")?.[1];
      if (template !== undefined) draft.template = template;
      const when = / When ((?:`[^`]+` (?:is not|is|is absent|is present)(?: `[^`]+`)?(?: and )?)+)\./.exec(summary ?? "")?.[1];
      if (when) draft.when = [...when.matchAll(/`([^`]+)` (is not|is present|is absent|is)(?: `([^`]+)`)?/g)].map(conditionOf);
      // The frame table's description is the entry's own, before what tells it apart.
      draft.summary = summary?.replace(/ Message: `[^`]*`\..*$/, "").replace(/ When .*$/, "") ?? draft.summary;
      sayLayers(draft, [summary, cells.notes, cells.retry].filter(Boolean).join(" "), hasCloseTable && !table.frames, table.frames === true);
    }
    // The row's words, not its scope or kind column ("symbol_unknown command" is no unknown command).
    draft.text.push([cells.summary, cells.notes, cells.reason, cells.retry, cells.header].filter((c) => c !== undefined).join(" "));
    if (table.frames) draft.framed = true;
  }

  const all = [...drafts.values()];
  const listed = new Set(all.flatMap((d) => [String(d.code), ...(d.status !== undefined ? [String(d.status)] : [])]));
  // A code only an example frame shows is an entry too (a frame, as the example is).
  for (const example of exampleCodes(page.codes)) {
    if (listed.has(String(example.code))) continue;
    listed.add(String(example.code));
    all.push(exampleEntry(example));
  }
  for (const draft of all) draft.drawn = kindFor(draft, situations.kinds);
  // A page that shows how it refuses an upgrade, in a table, words or an example, says which
  // errors do: none is inferred.
  if (all.some((d) => d.status !== undefined) || httpExamples(page.codes).length > 0) facts = { ...facts, statusTable: true };
  const merged = mergeStatuses(all, page);
  addProseCloses(merged, page, situations.advice);
  // A page that states an entry's layers in words ("layers: frame") leaves nothing to infer.
  const stated = new Set([...page.text.matchAll(/Code `([^`]+)`[^\n]*?\blayers: /g)].map((m) => m[1] as string));
  for (const draft of merged) {
    draft.advice = situations.advice.find(([key]) => ticked(key)[0] === String(draft.code) || key.trim() === String(draft.code))?.[1];
    const silent = draft.status === undefined && (draft.close === undefined || draft.drawn?.value === "client-disconnect");
    // Rows a document states as messages (AsyncAPI's) are where they travel, nothing more.
    if (draft.frame && silent && !draft.numbered && !draft.framed && !stated.has(String(draft.code))) inferConnect(draft, facts);
  }
  return { drafts: merged, rules, notes, facts };
}

/* An entry only an example shows: a frame, unless the words before it say it is the body of a
   refused upgrade; what to do is in the words after it, or before. */
function exampleEntry(example: ExampleCode): Draft {
  const context = example.context ?? "";
  const draft: Draft = {
    code: example.code,
    frame: true,
    framed: true,
    text: [context, example.after ?? ""],
    layerNotes: ["the code is shown only in an example frame"],
    summary: example.message ?? context.split(/(?<=\.)\s/)[0],
    scope: example.answers ? "command" : "connection",
    frameRetry: [example.after, context].filter(Boolean).join(" ") || undefined,
  };
  const said = layersSaid(context);
  if (said.upgrade) {
    draft.framed = false;
    draft.upgradeRetry = draft.frameRetry;
  }
  sayLayers(draft, context, false, !said.upgrade);
  return draft;
}

function kindFor(draft: Draft, stated: Map<string, string[]>): Drawn<KindName> {
  const summary = (draft.summary ?? "").replace(/ \(deprecated\)$/, "").trim() || String(draft.code);
  const texts = [summary, draft.title ?? "", ...draft.text, draft.label ?? "", String(draft.code).replace(/[_-]+/g, " ")];
  return kindOf(draft.kind ?? kindAmong(stated.get(String(draft.code)) ?? [], texts.join(" ")), texts, draft.status, draft.close?.code);
}

/* What a code table's row says in words about its layers. */
function sayLayers(draft: Draft, words: string, hasCloseTable: boolean, framed: boolean): void {
  const said = layersSaid(words);
  if (said.upgrade) {
    draft.status = said.upgrade.status;
    draft.layerNotes.push(`upgrade: from "${said.upgrade.from}"`);
  }
  if (said.close && (!hasCloseTable || said.close.code !== undefined)) {
    draft.close = said.close.code !== undefined ? { code: said.close.code } : { afterFrame: true };
    draft.layerNotes.push(`close: from "${said.close.from}"`);
  }
  // Said to be refused or closed, and not said to be sent as a frame: it is not a frame.
  if ((said.upgrade || (said.close && said.close.code !== undefined)) && !said.frame && !framed) {
    draft.frame = false;
    draft.layerNotes.push("no frame: the row names other layers only");
  }
}

/* Where the page is silent about an entry's layers, where an error of its kind is met. */
function inferConnect(draft: Draft, facts: PageFacts): void {
  const kind = draft.drawn?.value ?? "unknown";
  const words = [draft.summary ?? "", ...draft.text].join(" ");
  if (kind === "client-disconnect") {
    // The client is gone: nothing is sent; the close is all there is.
    draft.frame = false;
    draft.close = { code: typeof draft.code === "number" && draft.code > 0 && draft.code < 1000 ? 4000 + draft.code : 1006 };
    draft.layerNotes.push(
      `close only: a client-side disconnection is never a frame${draft.close.code !== 1006 ? `; close ${draft.close.code} assumed (4000 + the code)` : ""}`,
    );
    return;
  }
  const connect = atConnect(kind, draft.summary ?? "", words, draft.code, facts);
  if (!connect) return;
  draft.status = connect.status;
  if (connect.only && !draft.framed) draft.frame = false;
  draft.layerNotes.push(`upgrade ${connect.status}${connect.only && !draft.framed ? " only" : ""}: ${connect.from}`);
}

/**
 * A status table's rows that describe entries of the code tables ("429: rate limit exceeded, or the
 * connection limit reached") are those entries' refused upgrades, not entries of their own: a part
 * of the row's text that begins an entry's summary, an entry that says it is returned as that
 * status, or the one entry of the row's kind.
 */
function mergeStatuses(all: Draft[], page: DocPage): Draft[] {
  const http = httpExamples(page.codes);
  const coded = all.filter((d) => !d.numbered);
  const kept: Draft[] = [];
  for (const draft of all) {
    if (draft.numbered !== "status" || draft.status === undefined) {
      kept.push(draft);
      continue;
    }
    const status = draft.status;
    // Parts of a few words at least: "invalid" alone begins too many summaries.
    const parts = (draft.summary ?? "")
      .split(/,? or |; |, and |\. /i)
      .map(normal)
      .filter((p) => p.split(" ").length >= 3);
    const byText = coded.filter((d) => parts.some((part) => normal(d.summary ?? "").startsWith(part)));
    const byClaim = coded.filter((d) => d.status === status && d.layerNotes.some((n) => n.startsWith("upgrade: from")));
    const sameKind = coded.filter((d) => d.drawn?.value === draft.drawn?.value && d.frame);
    const targets = byText.length > 0 ? byText : byClaim.length > 0 ? byClaim : sameKind.length === 1 ? sameKind : [];
    if (targets.length === 0) {
      // An example response of this status names its code and header.
      const example = http.find((h) => h.status === status);
      const body = example?.body as Record<string, unknown> | undefined;
      const code = typeof body === "object" && body !== null ? (body.code ?? body.error_code) : undefined;
      if (typeof code === "string" || typeof code === "number") {
        draft.code = code;
        draft.numbered = undefined;
        const header = Object.entries(example?.headers ?? {}).find(([name]) => /^x-/i.test(name));
        if (header) draft.header = header[1];
        draft.layerNotes.push(`code: from the example ${status} response`);
      }
      kept.push(draft);
      continue;
    }
    for (const target of targets) {
      target.status = status;
      target.upgradeRetry ??= draft.upgradeRetry;
      target.text.push(...draft.text);
      target.layerNotes.push(`upgrade ${status}: the status table's row "${draft.summary ?? status}"`);
    }
  }
  return kept;
}

/* A close a paragraph describes (code and reason) that no entry has: an entry of its own, named
   after its reason in the page's style of codes. */
function addProseCloses(drafts: Draft[], page: DocPage, advice: readonly [string, string][]): void {
  const upper = drafts.filter((d) => typeof d.code === "string" && /^[A-Z0-9_]+$/.test(d.code)).length > drafts.length / 2;
  for (const close of proseCloses(page.prose)) {
    const claimed = drafts.some((d) => d.close?.code === close.code && (close.reason === undefined || d.close?.reason === close.reason));
    if (claimed || close.reason === undefined) continue;
    const name = close.reason.trim();
    const code = upper ? name.toUpperCase().replace(/[^A-Z0-9]+/g, "_") : name.toLowerCase().replace(/[^a-z0-9]+/g, "_");
    const said = advice.find(([key]) => key.includes(`"${name}"`))?.[1];
    const draft: Draft = {
      code,
      summary: close.sentence,
      frame: false,
      // Codes every API uses for other things are told apart by their reason.
      close: { code: close.code, reason: name, ...(close.code < 3000 && { matchReason: true }) },
      text: [close.heading, close.sentence],
      layerNotes: [`close: from "${close.sentence.slice(0, 80)}"; the code ${code} is made from its reason`],
      ...(said !== undefined && { closeRetry: said }),
    };
    draft.drawn = kindOf(undefined, [close.heading, close.sentence], undefined, close.code);
    drafts.push(draft);
  }
}

function conditionOf(match: RegExpMatchArray): Record<string, unknown> {
  const [, path, verb, value] = match;
  if (verb === "is present") return { path, exists: true };
  if (verb === "is absent") return { path, exists: false };
  const parsed = value === undefined ? null : parseJson(value);
  return verb === "is not" ? { path, notEquals: parsed } : { path, equals: parsed };
}
