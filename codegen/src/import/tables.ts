import { lexer, type Tokens } from "marked";

/** A table of a docs page, its cells as plain text, under the heading it sits in. */
export interface DocTable {
  readonly heading: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** The source line where the table starts, for review comments. */
  readonly line: number;
}

/** A fenced code block of the page (an example frame, say). */
export interface DocCode {
  readonly lang: string;
  readonly text: string;
}

/**
 * The tables and code blocks of a Markdown page, read by `marked`'s lexer (GitHub-flavoured tables),
 * with the heading each one sits under. Cell text keeps its backticks, which mark codes.
 *
 * @example
 * ```ts
 * readMarkdown("## Errors\n\n| Code | Description |\n| --- | --- |\n| `E1` | Bad. |\n").tables[0]?.rows; // [["`E1`", "Bad."]]
 * ```
 */
export function readMarkdown(markdown: string): { readonly tables: DocTable[]; readonly codes: DocCode[] } {
  const tables: DocTable[] = [];
  const codes: DocCode[] = [];
  let heading = "";
  let line = 1;
  for (const token of lexer(markdown)) {
    if (token.type === "heading") heading = (token as Tokens.Heading).text;
    else if (token.type === "table") {
      const table = token as Tokens.Table;
      tables.push({ heading, header: table.header.map((cell) => cell.text.trim()), rows: table.rows.map((row) => row.map((cell) => cell.text.trim())), line });
    } else if (token.type === "code") codes.push({ lang: (token as Tokens.Code).lang ?? "", text: (token as Tokens.Code).text });
    line += token.raw.split("\n").length - 1;
  }
  return { tables, codes };
}
