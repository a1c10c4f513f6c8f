import YAML, { type Scalar, type YAMLMap } from "yaml";
import { defaultClassName, RESERVED_CLASSES } from "../lint";
import { loadCatalogText } from "../load";
import { KINDS, type Directive, type KindName } from "@ws-errors/core";
import { collectEntries } from "./entries";
import { envelopeOf } from "./envelope";
import { kindOf, retryOf, scopeOf, type DrawnDelay } from "./infer";
import { readPage, type DocFormat } from "./read";
import { readMarkdown, type DocPage } from "./tables";

/** What `ws-errors import` wrote: the draft's YAML and how much of it a person should check. */
export interface ImportResult {
  readonly yaml: string;
  readonly entries: number;
  /** Review comments in the draft: inferences, not facts of the page. */
  readonly review: number;
  /** Lint's findings on the draft, also listed at its end. */
  readonly problems: readonly string[];
}

/** Text as a catalog name or entry id: lower case, runs of anything else as one hyphen. */
export const kebab = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
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
export function importMarkdown(markdown: string, options: ImportOptions): ImportResult {
  return importPage(readMarkdown(markdown), options);
}

/** Options of {@link importDocs}: the catalog's name, and the page's format when not told by its text. */
export interface ImportOptions {
  readonly name: string;
  readonly title?: string;
  /** Read from the text when absent: `asyncapi:` at the top, markup, else Markdown. */
  readonly format?: DocFormat;
}

/**
 * A catalog draft from an API's error documentation in any format `ws-errors import` reads:
 * Markdown, HTML (tables, nested ones too, example frames in `<pre>`) or an AsyncAPI document.
 *
 * @example
 * ```ts
 * const { yaml } = importDocs("<table><tr><th>Code</th><th>Description</th></tr><tr><td>4001</td><td>Bad key.</td></tr></table>", { name: "my-api" });
 * ```
 */
export function importDocs(text: string, options: ImportOptions): ImportResult {
  return importPage(readPage(text, options.format), options);
}

/** The draft of a page already read into tables, examples and prose. */
export function importPage(page: DocPage, options: ImportOptions): ImportResult {
  const { drafts, rules, notes } = collectEntries(page);
  const sequenced = /sequence id at `([^`]+)`|\bseq(uence)?[_ ]?(id|number)\b|resume_from/i.test(page.text);
  const usedIds = new Set<string>();
  const review: [path: (string | number)[], comment: string][] = [];
  const errors = drafts.map((draft, i) => {
    // A numeric code is a poor id; the short name a page gives it beside the number is better.
    const slug = kebab(typeof draft.code === "number" && draft.title ? draft.title : String(draft.code));
    let id = /^[a-z]/.test(slug) ? slug : `e${slug ? `-${slug}` : i}`;
    while (usedIds.has(id)) id = `${id}-${i}`;
    usedIds.add(id);
    const summary = (draft.summary ?? "").replace(/ \(deprecated\)$/, "").trim() || String(draft.code);
    const words = [summary, ...draft.text, draft.label ?? "", String(draft.code).replace(/[_-]+/g, " ")].join(" ");
    const kind = draft.drawn ?? { value: "unknown" as const, from: "nothing" };
    if (!kind.fact) review.push([["errors", i, "kind"], `kind inferred from "${kind.from}"`]);
    if (draft.layerNotes.length > 0)
      review.push([["errors", i, draft.status !== undefined ? "upgrade" : draft.close ? "close" : "frame"], draft.layerNotes.join("; ")]);
    // An error met on the connection as a whole (also refused or closed) is retried by connecting again.
    const connectionLevel = draft.status !== undefined || draft.close !== undefined;
    const layer =
      draft.frame && !(connectionLevel && /reconnect|resume/.test(KINDS[kind.value].directive)) ? "frame" : draft.status !== undefined ? "upgrade" : "close";
    const retryText = (draft.frame ? draft.frameRetry : draft.status !== undefined ? draft.upgradeRetry : draft.closeRetry) ?? draft.advice;
    const said = retryOf(retryText, kind.value as KindName, layer);
    // An API key is not refreshed by a client the way a token is: where the page gives no
    // directive, a bad key stops (a revoked credential is replaced, though).
    const stated =
      said.value.directive === "refresh-credentials" && said.from?.startsWith("the usual") && /api[ -]?key/i.test(words) && !/revoked|credential/i.test(words)
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
  const envelope = envelopeOf(page.text, page.codes, errors);
  if (!envelope.found) review.push([["dialect", "frames"], "envelope assumed: the page shows no example error frame; write the frame's real paths"]);
  const hasUpgrade = errors.some((e) => "upgrade" in e);
  const resumes = errors.some(
    (e) => e.retry.directive === "resume" || (e.close as { retry?: { directive?: string } } | undefined)?.retry?.directive === "resume",
  );
  const sequence = /sequence id at `([^`]+)`/.exec(page.text)?.[1] ?? (resumes ? (/(?:your |the )?last `([\w.]+)`/i.exec(page.text)?.[1] ?? "seq") : undefined);
  if (resumes && !/sequence id at `/.test(page.text))
    review.push([
      ["dialect", "sequence"],
      sequence === "seq" ? "resume needs the sequence id's path; none was found on the page" : `sequence id from "last \`${sequence}\`"`,
    ]);
  const headerName = hasUpgrade
    ? (/`(x-[\w-]+)`/i.exec(page.tables.flatMap((t) => t.header).join(" "))?.[1] ?? /`(x-[\w-]+)`\s+(?:response|error)\s+header/i.exec(page.text)?.[1])
    : undefined;
  const title = options.title ?? page.title ?? options.name;
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

function retryYaml(retry: { directive: Directive; delay?: DrawnDelay }): Record<string, unknown> {
  return { directive: retry.directive, ...(retry.delay && { delay: retry.delay }) };
}
