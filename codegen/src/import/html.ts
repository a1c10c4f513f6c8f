import { parse } from "parse5";
import type { DefaultTreeAdapterTypes as T } from "parse5";
import { isJson, type DocCode, type DocPage, type DocProse, type DocTable } from "./tables";

/* An HTML page read into what the importer works on, by parse5 (the WHATWG parsing algorithm, so
   pages as browsers see them, unclosed tags and all). Inline code keeps its backticks, which mark
   codes as they do in Markdown; a table inside a table's cell is a table of its own. */

const isElement = (node: T.Node): node is T.Element => "tagName" in node;
const childrenOf = (node: T.Node): T.ChildNode[] => ("childNodes" in node ? node.childNodes : []);
const attr = (node: T.Element, name: string) => node.attrs.find((a) => a.name === name)?.value;

/** Text as a reader sees it: `code` in backticks, nested tables left out, runs of space as one. */
function textOf(node: T.Node, skipTables = true): string {
  if (node.nodeName === "#text") return (node as T.TextNode).value;
  if (!isElement(node)) return "";
  if (skipTables && node.tagName === "table") return "";
  if (node.tagName === "br") return "\n";
  const inner = childrenOf(node)
    .map((child) => textOf(child, skipTables))
    .join("");
  if (node.tagName === "code" && node.parentNode && isElement(node.parentNode) && node.parentNode.tagName !== "pre") return `\`${inner}\``;
  return inner;
}
const clean = (text: string) => text.replace(/\s+/g, " ").trim();

/* The rows of a table, not those of tables nested in its cells. */
function rowsOf(table: T.Element): T.Element[] {
  const rows: T.Element[] = [];
  const visit = (node: T.Node) => {
    for (const child of childrenOf(node)) {
      if (!isElement(child)) continue;
      if (child.tagName === "tr") rows.push(child);
      else if (["thead", "tbody", "tfoot"].includes(child.tagName)) visit(child);
    }
  };
  visit(table);
  return rows;
}

/**
 * The tables, example blocks and prose of an HTML page.
 *
 * @example
 * ```ts
 * readHtml("<h2>Errors</h2><table><tr><th>Code</th><th>Meaning</th></tr><tr><td><code>E1</code></td><td>Bad.</td></tr></table>").tables[0]?.rows; // [["`E1`", "Bad."]]
 * ```
 */
export function readHtml(html: string): DocPage {
  const document = parse(html);
  const tables: DocTable[] = [];
  const codes: DocCode[] = [];
  const prose: DocProse[] = [];
  let heading = "";
  let title: string | undefined;
  let previous = "";
  const pushCode = (code: DocCode) => {
    const last = codes.at(-1);
    if (last && last.after !== undefined && last.after === code.context) last.after = undefined;
    codes.push(code);
  };
  const walk = (node: T.Node) => {
    if (!isElement(node)) return;
    const tag = node.tagName;
    const before = previous;
    if (["h1", "h2", "h3", "h4", "h5", "h6", "table", "pre", "p", "li"].includes(tag)) previous = tag;
    if (/^h[1-6]$/.test(tag)) {
      heading = clean(textOf(node));
      if (tag === "h1") title ??= heading;
      return;
    }
    if (tag === "title") {
      title ??= clean(textOf(node));
      return;
    }
    if (tag === "table") {
      const rows = rowsOf(node).map((row) => childrenOf(row).filter((c): c is T.Element => isElement(c) && (c.tagName === "td" || c.tagName === "th")));
      const headerAt = rows.findIndex((cells) => cells.length > 0 && cells.every((c) => c.tagName === "th"));
      const header = (rows[headerAt === -1 ? 0 : headerAt] ?? []).map((c) => clean(textOf(c)));
      const body = rows.slice((headerAt === -1 ? 0 : headerAt) + 1).filter((cells) => cells.length > 0);
      // A caption names the table better than the heading above it.
      const caption = childrenOf(node).find((c) => isElement(c) && c.tagName === "caption");
      tables.push({
        heading: caption ? clean(textOf(caption)) : heading,
        header,
        rows: body.map((cells) => cells.map((c) => clean(textOf(c)))),
        line: node.sourceCodeLocation?.startLine ?? 0,
      });
      // Tables inside cells, after their table: each is read on its own.
      for (const cells of body) for (const cell of cells) for (const child of childrenOf(cell)) walkNested(child);
      return;
    }
    if (tag === "pre") {
      const code = childrenOf(node).find((c): c is T.Element => isElement(c) && c.tagName === "code");
      const lang = /(?:language|lang)-(\w+)/.exec(attr(code ?? node, "class") ?? "")?.[1] ?? "";
      pushCode({ lang, text: textOf(code ?? node).trim(), context: prose.at(-1)?.text });
      return;
    }
    if (tag === "p" || tag === "li" || tag === "dd" || tag === "blockquote") {
      const text = clean(textOf(node));
      // An example frame written inline in a paragraph.
      if (/^[[{].*[\]}]$/.test(text) && isJson(text)) pushCode({ lang: "json", text, context: prose.at(-1)?.text });
      else if (text) {
        prose.push({ heading, text });
        const last = codes.at(-1);
        if (last && last.after === undefined && before === "pre") last.after = text;
      }
      if (tag === "li" || tag === "blockquote") for (const child of childrenOf(node)) walkNested(child);
      return;
    }
    for (const child of childrenOf(node)) walk(child);
  };
  const walkNested = (node: T.Node) => {
    if (!isElement(node)) return;
    if (node.tagName === "table") walk(node);
    else for (const child of childrenOf(node)) walkNested(child);
  };
  for (const child of childrenOf(document)) walk(child);
  const text = [title ?? "", ...prose.map((p) => p.text), ...tables.flatMap((t) => [t.header.join(" "), ...t.rows.map((r) => r.join(" "))])].join("\n");
  return { tables, codes, prose, text, ...(title !== undefined && { title }) };
}
