import { lexer, type Tokens } from "marked";
import { roleOf } from "./infer";

/** A table of a docs page, its cells as plain text, under the heading it sits in. */
export interface DocTable {
  readonly heading: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** The source line where the table starts, for review comments. */
  readonly line: number;
  /** Its rows are messages the API sends (an AsyncAPI document's): frames, as a fact. */
  readonly frames?: true;
}

/** A fenced code block of the page (an example frame, say). */
export interface DocCode {
  readonly lang: string;
  readonly text: string;
  /** The paragraph just before it, which usually says what the example shows. */
  readonly context?: string | undefined;
  /** The paragraph just after it, which often says what to do about it. */
  after?: string | undefined;
}

/** A paragraph of prose, under the heading it sits in. */
export interface DocProse {
  readonly heading: string;
  readonly text: string;
}

/** What the importer reads of a page, whatever its format: tables, examples, prose. */
export interface DocPage {
  readonly tables: DocTable[];
  readonly codes: DocCode[];
  readonly prose: DocProse[];
  /** The page as text, for what it says anywhere ("sequence id at `seq`"). */
  readonly text: string;
  /** The page's title, when it has one. */
  readonly title?: string | undefined;
}

/**
 * The tables, code blocks and prose of a Markdown page, read by `marked`'s lexer (GitHub-flavoured tables),
 * with the heading each one sits under. Cell text keeps its backticks, which mark codes.
 *
 * @example
 * ```ts
 * readMarkdown("## Errors\n\n| Code | Description |\n| --- | --- |\n| `E1` | Bad. |\n").tables[0]?.rows; // [["`E1`", "Bad."]]
 * ```
 */
export function readMarkdown(markdown: string): DocPage {
  const tables: DocTable[] = [];
  const codes: DocCode[] = [];
  const prose: DocProse[] = [];
  let heading = "";
  let line = 1;
  let previous = "";
  // A paragraph between two examples introduces the second: it is not what follows the first.
  const pushCode = (code: DocCode) => {
    const last = codes.at(-1);
    if (last && last.after !== undefined && last.after === code.context) last.after = undefined;
    codes.push(code);
  };
  for (const token of lexer(markdown)) {
    if (token.type === "heading") heading = (token as Tokens.Heading).text;
    else if (token.type === "table") {
      const table = token as Tokens.Table;
      tables.push({ heading, header: table.header.map((cell) => cell.text.trim()), rows: table.rows.map((row) => row.map((cell) => cell.text.trim())), line });
    } else if (token.type === "code") pushCode({ lang: (token as Tokens.Code).lang ?? "", text: (token as Tokens.Code).text, context: prose.at(-1)?.text });
    else if (token.type === "paragraph") {
      const raw = (token as Tokens.Paragraph).text;
      const text = raw.replace(/\s+/g, " ").trim();
      const plain = textTable(raw, heading, line);
      // An example frame pasted as a paragraph (a site's export loses the code fences).
      if (plain) tables.push(plain);
      else if (/^\s*[[{][\s\S]*[\]}]\s*$/.test(text) && isJson(text)) pushCode({ lang: "json", text, context: prose.at(-1)?.text });
      else {
        prose.push({ heading, text });
        const last = codes.at(-1);
        if (last && last.after === undefined && previous === "code") last.after = text;
      }
    }
    if (token.type !== "space") previous = token.type === "paragraph" && codes.at(-1)?.text === (token as Tokens.Paragraph).text ? "code" : token.type;
    line += token.raw.split("\n").length - 1;
  }
  const title = /^#\s+(.+?)(?::\s*error reference)?\s*$/m.exec(markdown)?.[1];
  return { tables, codes, prose, text: markdown, ...(title !== undefined && { title }) };
}

/** Whether text parses as JSON (an example frame pasted into prose, say). */
export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/* Scopes written out in a row ("connection or command"), taken whole before the free-text column. */
const SCOPE = /^(connection|command|both)(\s+or\s+(connection|command))?\s+/i;

/**
 * A table written as plain lines (docs exported from a site lose their pipes): a header of two to
 * five column titles that name a code, status or close code column, then rows whose first word is
 * the code. Every column but the last is one word (a scope may be "connection or command"); the
 * last takes the rest of the line.
 */
function textTable(text: string, heading: string, line: number): DocTable | undefined {
  const lines = text.split("\n").map((l) => l.trim());
  const header = (lines[0] ?? "").split(/\s+/);
  if (header.length < 2 || header.length > 5) return undefined;
  const roles = header.map(roleOf);
  if (roles.some((r) => r === undefined) || !roles.some((r) => r === "code" || r === "status" || r === "close")) return undefined;
  const rows: string[][] = [];
  for (const row of lines.slice(1)) {
    let rest = row;
    const cells: string[] = [];
    for (let i = 0; i < header.length - 1; i++) {
      const scope = roles[i] === "scope" ? SCOPE.exec(rest) : null;
      const word = scope ? scope[0] : (/^\S+\s*/.exec(rest)?.[0] ?? "");
      cells.push(word.trim());
      rest = rest.slice(word.length);
    }
    cells.push(rest.trim());
    if (!/^[\w./-]+$/.test(cells[0] ?? "") || cells.some((c) => c === "")) break;
    rows.push(cells);
  }
  return rows.length > 0 ? { heading, header, rows, line } : undefined;
}
