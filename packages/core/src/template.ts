import type { CloseSpec, DetailType, FrameSpec } from "./spec";

/**
 * A message template split once: literal text around `{name}` placeholders. `literals` has one
 * more element than `names`; `{{` and `}}` stand for literal braces.
 */
export interface Template {
  readonly literals: readonly string[];
  readonly names: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why text is not a template: a code and where, put in words by {@link parseTemplate} only. */
type Flaw = readonly ["unclosed" | "unmatched", number] | readonly ["name", string] | readonly ["adjacent", string, string];

/* The one scanner; the runtime reads its result, and only lint turns a flaw into a sentence, so
   bundles carry no error text. */
function scan(text: string): Template | Flaw {
  const literals: string[] = [];
  const names: string[] = [];
  let literal = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if ((ch === "{" || ch === "}") && text[i + 1] === ch) {
      literal += ch;
      i++;
    } else if (ch === "{") {
      const end = text.indexOf("}", i + 1);
      if (end < 0) return ["unclosed", i + 1];
      const name = text.slice(i + 1, end);
      if (!NAME.test(name)) return ["name", name];
      if (names.length > 0 && literal === "") return ["adjacent", names.at(-1) as string, name];
      literals.push(literal);
      names.push(name);
      literal = "";
      i = end;
    } else if (ch === "}") {
      return ["unmatched", i + 1];
    } else {
      literal += ch;
    }
  }
  literals.push(literal);
  return { literals, names };
}

/** A template, or `undefined` when the text is not one (what lint reports with {@link parseTemplate}). */
export function compileTemplate(text: string): Template | undefined {
  const result = scan(text);
  return Array.isArray(result) ? undefined : (result as Template);
}

/**
 * Splits a template, or explains why it cannot be one: an unclosed or empty placeholder, a name
 * that is not an identifier, or two placeholders with no text between them (where one would end
 * is then a guess, and matching must never guess).
 *
 * @example
 * ```ts
 * parseTemplate("{field} is required"); // { literals: ["", " is required"], names: ["field"] }
 * ```
 */
export function parseTemplate(text: string): Template | string {
  const result = scan(text);
  if (!Array.isArray(result)) return result as Template;
  const flaw = result as Flaw;
  switch (flaw[0]) {
    case "unclosed":
      return `unclosed "{" at character ${flaw[1]}`;
    case "unmatched":
      return `unmatched "}" at character ${flaw[1]} (write "}}" for a literal brace)`;
    case "name":
      return `placeholder "{${flaw[1]}}" must be a detail field name (letters, digits, _)`;
    case "adjacent":
      return `placeholders "{${flaw[1]}}" and "{${flaw[2]}}" have no text between them, so where one ends cannot be known`;
  }
}

/**
 * Matches text against a template and returns the captured parts, or `undefined`.
 *
 * Linear by construction, whatever the template and the input: the first literal must open the
 * text and the last must close it; each literal between placeholders is then searched once,
 * leftmost, from where the previous one ended, and nothing is ever tried again (no backtracking,
 * no regular expression). The cost is one `indexOf` per literal over the unread part of the text.
 * A placeholder captures at least one character.
 *
 * @example
 * ```ts
 * matchTemplate(parseTemplate("unknown message type: {type}") as Template, "unknown message type: foo"); // { type: "foo" }
 * ```
 */
export function matchTemplate(template: Template, text: string): Record<string, string> | undefined {
  const { literals, names } = template;
  const first = literals[0] as string;
  if (!text.startsWith(first)) return undefined;
  if (names.length === 0) return text.length === first.length ? {} : undefined;
  const last = literals[literals.length - 1] as string;
  const end = text.length - last.length;
  if (end <= first.length || !text.endsWith(last)) return undefined;
  const captured: Record<string, string> = {};
  let at = first.length;
  for (let i = 0; i < names.length - 1; i++) {
    const literal = literals[i + 1] as string;
    // At least one character per placeholder: the search starts one past where the capture begins.
    const found = text.indexOf(literal, at + 1);
    if (found < 0 || found + literal.length > end) return undefined;
    captured[names[i] as string] = text.slice(at, found);
    at = found + literal.length;
  }
  if (end <= at) return undefined;
  captured[names[names.length - 1] as string] = text.slice(at, end);
  return captured;
}

/**
 * Writes a template with values; a placeholder without a value is written as it stands.
 *
 * @example
 * ```ts
 * renderTemplate(parseTemplate("{field} is required") as Template, { field: "symbol" }); // "symbol is required"
 * ```
 */
export function renderTemplate(template: Template, values: Readonly<Record<string, unknown>>): string {
  let out = template.literals[0] as string;
  for (let i = 0; i < template.names.length; i++) {
    const name = template.names[i] as string;
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    out += value === undefined || value === null ? `{${name}}` : typeof value === "object" ? JSON.stringify(value) : String(value);
    out += template.literals[i + 1] as string;
  }
  return out;
}

/**
 * Converts a captured part to its detail type: integers and numbers must be written as JSON
 * numbers, booleans as `true`/`false`. `undefined` when the text is not of that type, so the
 * template does not match.
 */
export function convertCapture(text: string, type: DetailType | undefined): unknown {
  switch (type) {
    case undefined:
    case "string":
      return text;
    case "integer":
    case "number": {
      if (!/^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/.test(text)) return undefined;
      const value = Number(text);
      return Number.isFinite(value) && (type === "number" || Number.isInteger(value)) ? value : undefined;
    }
    case "boolean":
      return text === "true" ? true : text === "false" ? false : undefined;
    default:
      return undefined;
  }
}

/**
 * Message and close-reason templates as the runtime uses them. Passed in (to `bindEntry` and the
 * codec) only by catalogs whose entries have templates, so a bundle of any other catalog carries
 * none of this.
 */
export interface TemplateSupport {
  readonly compile: typeof compileTemplate;
  readonly match: typeof matchTemplate;
  readonly render: typeof renderTemplate;
  readonly convert: typeof convertCapture;
}

/**
 * The {@link TemplateSupport} generated modules of catalogs with templates pass in.
 *
 * @example
 * ```ts
 * const compiled = core.internal.compileCatalog(spec, { classes, readers, templates: core.TEMPLATES });
 * ```
 */
export const TEMPLATES: TemplateSupport = { compile: compileTemplate, match: matchTemplate, render: renderTemplate, convert: convertCapture };

/**
 * Whether an entry has a template the runtime reads: a frame message template, or a close reason
 * with placeholders that decoding matches.
 *
 * @example
 * ```ts
 * usesTemplates({ frame: { template: "{field} is required" } }); // true
 * ```
 */
export function usesTemplates(entry: {
  readonly frame?: { readonly template?: string | undefined } | undefined;
  readonly close?: CloseLike | undefined;
}): boolean {
  return entry.frame?.template !== undefined || (entry.close !== undefined && closeReasonIsTemplate(entry.close));
}

/**
 * Whether decoding a catalog's entries needs `MATCHING`: some entry has a frame label, `when`
 * conditions, a message template, or a close matched whatever its code or by a reason template.
 *
 * @example
 * ```ts
 * usesMatching({ frame: { code: "E1", label: "busy" } }); // true
 * ```
 */
export function usesMatching(entry: {
  readonly frame?: Partial<FrameSpec> | undefined;
  readonly close?: (CloseLike & Partial<CloseSpec>) | undefined;
}): boolean {
  const { frame, close } = entry;
  return (
    frame?.label !== undefined ||
    (frame?.when?.length ?? 0) > 0 ||
    frame?.template !== undefined ||
    close?.anyCode === true ||
    (close !== undefined && closeReasonIsTemplate(close))
  );
}

interface CloseLike {
  readonly reason: string;
  readonly matchReason?: boolean | undefined;
  readonly anyCode?: boolean | undefined;
}

/**
 * Whether a close's reason is a template: it has placeholders. Matched by reason (or whatever the
 * code), the template decides the entry; otherwise the code does, and a reason that fits the
 * template gives its details ("banned for {minutes} minutes").
 */
export function closeReasonIsTemplate(close: CloseLike): boolean {
  return close.reason.includes("{");
}
