import type { Directive, KindName } from "@ws-errors/core";
import YAML, { type Scalar, type YAMLMap } from "yaml";
import { defaultClassName, RESERVED_CLASSES } from "../lint";
import { loadCatalogText } from "../load";
import { kindAmong, kindOf, retryOf, roleOf, scopeOf, type DrawnDelay, type Role } from "./infer";
import { readMarkdown, type DocCode, type DocTable } from "./tables";

/** What `ws-errors import` wrote: the draft's YAML and how much of it a person should check. */
export interface ImportResult {
  readonly yaml: string;
  readonly entries: number;
  /** Review comments in the draft: inferences, not facts of the page. */
  readonly review: number;
  /** Lint's findings on the draft, also listed at its end. */
  readonly problems: readonly string[];
}

/** A rule for codes nobody lists, as the page words it: a range or a list, on one layer. */
interface Rule {
  readonly layer: "frame" | "upgrade" | "close";
  readonly from?: number;
  readonly to?: number;
  readonly codes?: number[];
  readonly summary: string;
  readonly retry: string | undefined;
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

interface Row {
  readonly table: DocTable;
  readonly cells: Partial<Record<Role, string>>;
}

interface Draft {
  code: string | number;
  label?: string | undefined;
  aliases?: (string | number)[] | undefined;
  summary?: string | undefined;
  template?: string | undefined;
  when?: Record<string, unknown>[] | undefined;
  kind?: string | undefined;
  scope?: string | undefined;
  frameRetry?: string | undefined;
  upgradeRetry?: string | undefined;
  closeRetry?: string | undefined;
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
  text: string[];
}

/** Text as a catalog name or entry id: lower case, runs of anything else as one hyphen. */
export const kebab = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
const wire = (text: string): string | number => (/^-?\d+$/.test(text) ? Number(text) : text);
const int = (cell: string | undefined) => {
  const match = cell === undefined ? null : /-?\d+/.exec(cell);
  return match ? Number(match[0]) : undefined;
};

/**
 * A catalog draft from an API's error documentation in Markdown: its error tables (codes,
 * descriptions, HTTP statuses, close codes, retry columns, however they are titled) become
 * entries, merged by code across tables; an example error frame on the page gives the envelope.
 * Every inference carries a `# review:` comment with the words it was drawn from; lint's findings
 * on the draft are listed at its end. Deterministic and offline: rules and dictionaries only.
 *
 * @example
 * ```ts
 * const { yaml } = importMarkdown("| Code | Description |\n| --- | --- |\n| `RATE_LIMITED` | Too many requests. |\n", { name: "my-api" });
 * ```
 */
export function importMarkdown(markdown: string, options: { readonly name: string; readonly title?: string }): ImportResult {
  const page = readMarkdown(markdown);
  const rows: Row[] = [];
  // Advice keyed by situation ("`CODE` (kind)") names each code's kind where no other table does.
  const statedKinds = new Map<string, string[]>();
  for (const table of page.tables) {
    if (!/^situation$/i.test(table.header[0] ?? "")) continue;
    for (const row of table.rows) {
      const found = /^`([^`]+)`(?: \/ `[^`]+`)? \(([a-z-]+)\)$/.exec(row[0] ?? "");
      if (found) statedKinds.set(found[1] as string, [...(statedKinds.get(found[1] as string) ?? []), found[2] as string]);
    }
  }
  for (const table of page.tables) {
    // Replies that are not errors, and advice keyed by situation, are not entries.
    if (/success|guidance|situation/i.test(table.heading)) continue;
    const roles = table.header.map(roleOf);
    if (!roles.some((r) => r === "code" || r === "status" || r === "close")) continue;
    for (const cells of table.rows) {
      const byRole: Partial<Record<Role, string>> = {};
      cells.forEach((cell, i) => {
        const role = roles[i];
        if (role && byRole[role] === undefined) byRole[role] = cell;
      });
      rows.push({ table, cells: byRole });
    }
  }

  const drafts = new Map<string, Draft>();
  const notes: string[] = [];
  const rules: Rule[] = [];
  for (const { table, cells } of rows) {
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
      // A close row with no code of its own is a rule for codes nobody lists (a fallback).
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
    const key = `${String(first)}\n${plain}`;
    const draft = drafts.get(key) ?? { code: wire(first), frame: false, text: [] };
    drafts.set(key, draft);
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
    }
    // The row's words, not its scope or kind column ("symbol_unknown command" is no unknown command).
    draft.text.push([cells.summary, cells.reason, cells.retry, cells.header].filter((c) => c !== undefined).join(" "));
  }

  const sequenced = /sequence id at `([^`]+)`|\bseq(uence)?[_ ]?(id|number)\b|resume_from/i.test(markdown);
  const usedIds = new Set<string>();
  const review: [path: (string | number)[], comment: string][] = [];
  const errors = [...drafts.values()].map((draft, i) => {
    const slug = kebab(String(draft.code));
    let id = /^[a-z]/.test(slug) ? slug : `e${slug ? `-${slug}` : i}`;
    while (usedIds.has(id)) id = `${id}-${i}`;
    usedIds.add(id);
    const summary = (draft.summary ?? "").replace(/ \(deprecated\)$/, "").trim() || String(draft.code);
    const texts = [summary, ...draft.text, draft.label ?? "", String(draft.code).replace(/[_-]+/g, " ")];
    const words = texts.join(" ");
    const kind = kindOf(draft.kind ?? kindAmong(statedKinds.get(String(draft.code)) ?? [], words), texts, draft.status, draft.close?.code);
    if (!kind.fact) review.push([["errors", i, "kind"], `kind inferred from "${kind.from}"`]);
    const layer = draft.frame ? "frame" : draft.status !== undefined ? "upgrade" : "close";
    const retryText = draft.frame ? draft.frameRetry : draft.status !== undefined ? draft.upgradeRetry : draft.closeRetry;
    const said = retryOf(retryText, kind.value as KindName, layer);
    // An API key is not refreshed by a client the way a token is: where the page gives no
    // directive, a bad key stops.
    const stated =
      said.value.directive === "refresh-credentials" && said.from?.startsWith("the usual") && /api[ -]?key/i.test(words)
        ? { value: { ...said.value, directive: "stop" as const }, from: "an API key, which a client cannot refresh by itself" }
        : said;
    // Resuming needs sequence ids; a page that shows none gets a plain reconnect.
    const retry =
      stated.value.directive === "resume" && !sequenced
        ? { value: { ...stated.value, directive: "reconnect" as const }, from: `${stated.from}; no sequence ids on the page, so reconnect` }
        : stated;
    review.push([["errors", i, "retry"], `directive from "${retry.from}"`]);
    const scope = scopeOf(draft.scope ?? (draft.frame ? undefined : "connection"));
    if (!scope.fact && draft.frame) review.push([["errors", i, "scope"], "scope assumed: the page does not say whether it answers one command"]);
    const closeRetry = draft.close && draft.frame && draft.closeRetry ? retryOf(draft.closeRetry, kind.value as KindName, "close").value : undefined;
    const delayDetail = retry.value.delay && "field" in retry.value.delay ? retry.value.delay.field : undefined;
    const templateDetails = [...(draft.template ?? "").matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);
    const details = Object.fromEntries(
      [...new Set([...(delayDetail ? [delayDetail] : []), ...templateDetails])].map((name) => [name, { type: name === delayDetail ? "integer" : "string" }]),
    );
    if (Object.keys(details).length > 0) review.push([["errors", i, "details"], "detail types assumed"]);
    const frame =
      draft.frame && (draft.label !== undefined || draft.template !== undefined || draft.when !== undefined)
        ? {
            ...(draft.label !== undefined && { label: draft.label }),
            ...(draft.template !== undefined && { template: draft.template }),
            ...(draft.when !== undefined && { when: draft.when }),
          }
        : draft.frame || undefined;
    // A class named as core's base class of a kind would shadow it: the catalog's name goes first.
    const className = defaultClassName(id);
    const reserved = RESERVED_CLASSES.has(className) ? { className: `${defaultClassName(options.name).replace(/Error$/, "")}${className}` } : {};
    return {
      id,
      ...reserved,
      code: draft.code,
      ...(draft.aliases && { aliases: draft.aliases }),
      kind: kind.value,
      scope: scope.value,
      summary,
      retry: retryYaml(retry.value),
      ...(Object.keys(details).length > 0 && { details }),
      ...(frame !== undefined && { frame }),
      ...(draft.status !== undefined && { upgrade: { status: draft.status, ...(draft.header !== undefined && { header: draft.header }) } }),
      ...(draft.close && {
        close: {
          ...draft.close,
          ...(closeRetry && closeRetry.directive !== retry.value.directive && { retry: retryYaml(closeRetry) }),
        },
      }),
    };
  });

  const fallbacks = rules.map((rule, i) => {
    const kind = kindOf(
      undefined,
      [rule.summary],
      rule.layer === "upgrade" ? (rule.from ?? rule.codes?.[0]) : undefined,
      rule.layer === "close" ? (rule.from ?? rule.codes?.[0]) : undefined,
    );
    const stated = retryOf(rule.retry, kind.value as KindName, rule.layer);
    const retry = stated.value.directive === "resume" && !sequenced ? { ...stated.value, directive: "reconnect" as const } : stated.value;
    review.push([["dialect", "fallbacks", i, "kind"], `kind inferred from "${kind.from ?? kind.value}"; directive from "${stated.from}"`]);
    return {
      layer: rule.layer,
      ...(rule.codes ? { codes: rule.codes } : { from: rule.from, to: rule.to }),
      kind: kind.value,
      retry: retryYaml(retry),
      summary: rule.summary || "Codes the catalog does not list",
    };
  });
  const envelope = envelopeOf(markdown, page.codes, errors);
  if (!envelope.found) review.push([["dialect", "frames"], "envelope assumed: the page shows no example error frame; write the frame's real paths"]);
  const hasUpgrade = errors.some((e) => "upgrade" in e);
  const resumes = errors.some(
    (e) => e.retry.directive === "resume" || (e.close as { retry?: { directive?: string } } | undefined)?.retry?.directive === "resume",
  );
  const sequence = /sequence id at `([^`]+)`/.exec(markdown)?.[1] ?? (resumes ? "seq" : undefined);
  if (resumes && !/sequence id at `/.test(markdown)) review.push([["dialect", "sequence"], "resume needs the sequence id's path; none was found on the page"]);
  const headerName = hasUpgrade ? (/`(x-[\w-]+)`/i.exec(page.tables.flatMap((t) => t.header).join(" "))?.[1] ?? undefined) : undefined;
  const title = options.title ?? /^#\s+(.+?)(?::\s*error reference)?\s*$/m.exec(markdown)?.[1] ?? options.name;
  // A text protocol's frame shown as sent (a command line, headers, a blank line, a NUL).
  const headerFrames = page.codes.some((block) => /^[A-Z][A-Z_]*\r?\n([^\n:]+:[^\n]*\r?\n)*\r?\n[\s\S]*(\^@|\0)\s*$/.test(block.text));
  const catalog = {
    name: options.name,
    title,
    version: "1",
    dialect: {
      ...(headerFrames && { grammar: "headers" }),
      ...((envelope.requestId || envelope.command) && {
        requests: { command: envelope.command ?? "type", ...(envelope.requestId && { requestId: envelope.requestId }) },
      }),
      frames: [
        {
          name: "error",
          scope: "both",
          match: envelope.match,
          constant: envelope.constant,
          ...(envelope.code !== undefined && { code: envelope.code }),
          ...(errors.some((e) => typeof e.frame === "object" && "label" in e.frame) && { label: envelope.label ?? "label" }),
          // An example frame without a message-like field has none; an assumed envelope does.
          ...((envelope.message ?? (headerFrames ? "body" : envelope.found ? undefined : "message")) !== undefined && {
            message: envelope.message ?? (headerFrames ? "body" : "message"),
          }),
          ...(envelope.requestId && { requestId: envelope.requestId }),
        },
      ],
      ...(sequence !== undefined && { sequence }),
      ...(fallbacks.length > 0 && { fallbacks }),
      ...(hasUpgrade && { upgrade: { code: "code", message: "message", ...(headerName && { header: headerName }) } }),
    },
    errors,
  };
  if (hasUpgrade) review.push([["dialect", "upgrade"], "the refused upgrade's body is assumed to be { code, message }"]);
  if (envelope.requestId && !envelope.command) review.push([["dialect", "requests", "command"], "where client messages name their command is assumed"]);

  const doc = new YAML.Document(catalog);
  doc.commentBefore = [
    ` Drafted by \`ws-errors import\` from ${options.name}'s documentation. Lines marked "review:" are`,
    " inferences: check each against the API, then delete the comment.",
    ...notes.map((n) => ` ${n}`),
  ].join("\n");
  for (const [path, comment] of review) {
    const node = doc.getIn(path, true) as Scalar | YAMLMap | undefined;
    if (node && typeof node === "object") node.comment = ` review: ${comment}`;
  }
  let yaml = `# yaml-language-server: $schema=https://unpkg.com/@ws-errors/codegen/schema/catalog.schema.json\n${doc.toString({ lineWidth: 0 })}`;
  const loaded = loadCatalogText(yaml, `${options.name}.yaml`);
  const problems = loaded.ok ? [] : loaded.problems.map((p) => `${p.path}: ${p.message}`);
  if (problems.length > 0) yaml += `\n# lint: what the draft still lacks\n${problems.map((p) => `# - ${p}`).join("\n")}\n`;
  return { yaml, entries: errors.length, review: review.length, problems };
}

function conditionOf(match: RegExpMatchArray): Record<string, unknown> {
  const [, path, verb, value] = match;
  if (verb === "is present") return { path, exists: true };
  if (verb === "is absent") return { path, exists: false };
  const parsed = value === undefined ? null : parseJson(value);
  return verb === "is not" ? { path, notEquals: parsed } : { path, equals: parsed };
}

function retryYaml(retry: { directive: Directive; delay?: DrawnDelay }): Record<string, unknown> {
  return { directive: retry.directive, ...(retry.delay && { delay: retry.delay }) };
}

interface Envelope {
  readonly found: boolean;
  readonly match: Record<string, unknown>[];
  readonly constant: Record<string, unknown>;
  readonly code?: string;
  readonly label?: string;
  readonly message?: string;
  readonly requestId?: string;
  readonly command?: string;
}

/* The envelope of an example error frame on the page: where a catalog code sits is the code's
   path, a message-like key the message's, and what the page says it is recognized by (or a
   type-like field) what marks it. */
function envelopeOf(markdown: string, blocks: readonly DocCode[], errors: readonly { code: string | number; summary: string; frame?: unknown }[]): Envelope {
  const codes = new Set(errors.map((e) => String(e.code)));
  const labels = new Set(errors.flatMap((e) => (typeof e.frame === "object" && e.frame !== null && "label" in e.frame ? [String(e.frame.label)] : [])));
  // What the page says in words: "recognized when `type` is `"error"`", "command at `op`", "correlation id at `req`".
  const said = /recognized when ((?:`[^`]+` is `[^`]+`(?: and )?)+)/.exec(markdown)?.[1];
  const conditions = said ? [...said.matchAll(/`([^`]+)` is `([^`]+)`/g)].map((m) => ({ path: m[1] as string, equals: parseJson(m[2] as string) })) : undefined;
  const command = /command at `([^`]+)`/.exec(markdown)?.[1];
  const correlation = /correlation id at `([^`]+)`/.exec(markdown)?.[1];
  for (const block of blocks) {
    if (!/^(json|jsonc|)$/i.test(block.lang)) continue;
    const value = parseJson(block.text);
    if (typeof value !== "object" || value === null) continue;
    // Arrays too: a channel protocol's frames are read through index paths ("3", "4.status").
    const leaves: [string, unknown][] = [];
    const walk = (node: unknown, path: string[]) => {
      if (typeof node === "object" && node !== null) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      else leaves.push([path.join("."), node]);
    };
    walk(value, []);
    const coded = leaves.find(([, v]) => codes.has(String(v)));
    const label = leaves.find(([p, v]) => p !== coded?.[0] && labels.has(String(v)))?.[0];
    // A frame that carries only a label (no code) is anchored by it.
    const code = coded ?? (label !== undefined ? ([label, undefined] as [string, unknown]) : undefined);
    if (!code) continue;
    const message = leaves.find(
      ([p, v]) => p !== code[0] && typeof v === "string" && /(^|\.)(message|msg|text|reason|description|detail|error_message)$/i.test(p),
    )?.[0];
    const requestId = correlation ?? leaves.find(([p, v]) => v === "req-1" || /(^|\.)(request_?id|req_?id|ref|nonce|correlation_?id)$/i.test(p))?.[0];
    const marker = leaves.find(
      ([p, v]) => typeof v === "string" && p !== code[0] && (/^error$/i.test(v) || /(^|\.)(type|msg_type|event|kind|op|action)$/i.test(p)),
    );
    const match = conditions ?? (marker ? [{ path: marker[0], equals: marker[1] }] : [{ path: code[0], exists: true }]);
    const constant = Object.fromEntries(match.filter((c) => "equals" in c).map((c) => [c.path, (c as { equals: unknown }).equals]));
    return {
      found: true,
      match,
      constant,
      ...(coded && { code: coded[0] }),
      ...(label && { label }),
      ...(message && { message }),
      ...(requestId && { requestId }),
      ...(command && { command }),
    };
  }
  return {
    found: false,
    match: conditions ?? [{ path: "type", equals: "error" }],
    constant: Object.fromEntries((conditions ?? [{ path: "type", equals: "error" }]).map((c) => [c.path, c.equals])),
    code: "code",
    ...(command && { command }),
    ...(correlation && { requestId: correlation }),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
