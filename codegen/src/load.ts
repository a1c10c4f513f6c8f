import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ErrorObject } from "ajv";
import { closest, distance } from "fastest-levenshtein";
import { load as fastLoad } from "js-yaml";
import type { Document, Node } from "yaml";
import type { CatalogSpec } from "@ws-errors/core";
import { lintCatalog, type RawCatalog } from "./lint";
import { normalize } from "./normalize";
import { formatPath, type Problem, type Segment } from "./problems";

const require = createRequire(import.meta.url);
/* `yaml` only runs when a catalog has problems, to locate them; valid catalogs never load it. */
const yamlLib = (): typeof import("yaml") => require("yaml") as typeof import("yaml");
/** The JSON Schema shipped with the package, for editors and for validation here. */
export const CATALOG_SCHEMA = require("../schema/catalog.schema.json") as object;

// verbose: each error carries the schema and the value it is about, for "did you mean" hints.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validateSchema = ajv.compile(CATALOG_SCHEMA);

export type LoadResult =
  | { readonly ok: true; readonly spec: CatalogSpec; readonly file: string }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly file: string };

/**
 * Reads, validates and normalizes a catalog file (YAML, or JSON, which YAML reads too). Every
 * problem is collected and located (`file:line:col`), never only the first.
 *
 * @example
 * ```ts
 * const result = loadCatalogFile("catalogs/collective2.yaml");
 * if (!result.ok) for (const p of result.problems) console.error(formatProblem(p));
 * ```
 */
export function loadCatalogFile(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    return { ok: false, file, problems: [{ file, line: 1, col: 1, path: "", message: `cannot read catalog: ${reason}` }] };
  }
  return loadCatalogText(text, file);
}

/**
 * Like {@link loadCatalogFile}, for text already in memory.
 *
 * A valid catalog takes the fast path: js-yaml reads it (a fifth of the time `yaml` takes on a
 * 1000-entry catalog), then the schema and the lint checks run on plain data. Only when something
 * is wrong is the text read again with `yaml`, whose nodes carry the positions every problem is
 * reported at.
 */
export function loadCatalogText(text: string, file: string): LoadResult {
  let data: unknown;
  try {
    data = fastLoad(text, { filename: file });
  } catch {
    return locateProblems(text, file);
  }
  if (validateSchema(data)) {
    const problems = lintCatalog(data as RawCatalog, () => ({ file, line: 0, col: 0, path: "", message: "" }));
    if (problems.length === 0) return { ok: true, file, spec: normalize(data as RawCatalog) };
  }
  return locateProblems(text, file);
}

function locateProblems(text: string, file: string): LoadResult {
  const { LineCounter, parseDocument } = yamlLib();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const { line, col } = at(error.pos[0]);
      return { file, line, col, path: "", message: `YAML: ${(error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "")}` };
    });
    return { ok: false, file, problems };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, file, problems: [{ file, line: 1, col: 1, path: "", message: `YAML: ${(error as Error).message}` }] };
  }
  const locate = (segments: readonly Segment[], key = false): { line: number; col: number } => {
    const node = findNode(doc, segments, key);
    return node?.range ? at(node.range[0]) : { line: 1, col: 1 };
  };
  const problem = (segments: readonly Segment[], message: string, key = false): Problem => ({
    file,
    ...locate(segments, key),
    path: formatPath(segments),
    message,
  });

  if (!validateSchema(data)) {
    const problems = schemaProblems(validateSchema.errors ?? [], problem);
    return { ok: false, file, problems: sortProblems([...problems, ...lintBeside(data as RawCatalog, problem, problems)]) };
  }
  const raw = data as RawCatalog;
  const problems = lintCatalog(raw, problem);
  if (problems.length > 0) return { ok: false, file, problems: sortProblems(problems) };
  return { ok: true, file, spec: normalize(raw) };
}

/**
 * The lint checks' problems beside the schema's, so one run reports everything (a duplicate id as
 * well as a misspelled field), except where the schema already found the place wrong: lint reads
 * a valid shape, and what it says of a broken one would only repeat the schema's problem.
 */
function lintBeside(
  raw: RawCatalog,
  problem: (segments: readonly Segment[], message: string, key?: boolean) => Problem,
  schema: readonly Problem[],
): Problem[] {
  const broken = schema.map((p) => p.path);
  const within = (path: string) =>
    broken.some((b) => b === "" || path === b || path.startsWith(`${b}.`) || path.startsWith(`${b}[`) || b.startsWith(`${path}.`) || b.startsWith(`${path}[`));
  try {
    return lintCatalog(raw, problem).filter((p) => p.path !== "" && !within(p.path));
  } catch {
    // Lint met a shape it cannot read: the schema's problems say why.
    return [];
  }
}

/** The allowed word nearest to a misspelling, when it is near enough to be what was meant. */
function didYouMean(word: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  const best = closest(word, allowed as string[]);
  const d = distance(word, best);
  // Two edits covers a swapped pair ("retyr"); never more than half the word, or anything is "meant".
  return d <= Math.max(2, Math.floor(best.length / 3)) && d < best.length / 2 ? best : undefined;
}

function sortProblems(problems: Problem[]): Problem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message));
}

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "a mapping (key: value)",
  array: "a list",
  null: "null",
};

/** `["string", "integer"]` → "a string or an integer". */
function typeWords(types: readonly string[]): string {
  const words = [...new Set(types)].map((t) => TYPE_WORDS[t] ?? t);
  return words.length <= 1 ? (words[0] ?? "something else") : `${words.slice(0, -1).join(", ")} or ${words.at(-1)}`;
}

/**
 * Ajv's errors in words. A value that fits no branch of an `anyOf` gets one message naming what
 * is allowed, unless a branch it nearly fits (a mapping with a wrong key) explains more.
 */
function schemaProblems(errors: readonly ErrorObject[], problem: (segments: readonly Segment[], message: string, key?: boolean) => Problem): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  const typesAt = new Map<string, string[]>();
  for (const error of errors)
    if (error.keyword === "type")
      typesAt.set(error.instancePath, [...(typesAt.get(error.instancePath) ?? []), ...[(error.params as { type: string | string[] }).type].flat()]);
  // A misspelled property ("retyr") explains the required one it stands for ("retry"): said once.
  const meant = new Set<string>();
  for (const error of errors) {
    if (error.keyword !== "additionalProperties") continue;
    const guess = didYouMean(
      (error.params as { additionalProperty: string }).additionalProperty,
      Object.keys((error.parentSchema as { properties?: object })?.properties ?? {}),
    );
    if (guess) meant.add(`${error.instancePath}|${guess}`);
  }
  const explainedBelow = (path: string) =>
    errors.some(
      (e) =>
        e.keyword !== "type" &&
        e.keyword !== "anyOf" &&
        (e.instancePath.startsWith(`${path}/`) || (e.instancePath === path && e.keyword === "additionalProperties")),
    );
  for (const error of errors) {
    if ((error.keyword === "type" || error.keyword === "anyOf") && explainedBelow(error.instancePath)) continue;
    if (error.keyword === "anyOf" && typesAt.has(error.instancePath)) continue;
    const segments = pointerToSegments(error.instancePath);
    let message: string;
    let target = segments;
    let key = false;
    switch (error.keyword) {
      case "additionalProperties": {
        const name = (error.params as { additionalProperty: string }).additionalProperty;
        const guess = didYouMean(name, Object.keys((error.parentSchema as { properties?: object })?.properties ?? {}));
        message = `unknown property "${name}"${guess ? `: did you mean "${guess}"?` : ""}`;
        target = [...segments, name];
        key = true;
        break;
      }
      case "required": {
        const name = (error.params as { missingProperty: string }).missingProperty;
        if (meant.has(`${error.instancePath}|${name}`)) continue;
        message = `missing required property "${name}"`;
        break;
      }
      case "enum": {
        const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
        const guess = typeof error.data === "string" ? didYouMean(error.data, allowed) : undefined;
        message = guess
          ? `is "${String(error.data)}": did you mean "${guess}"? (must be one of: ${allowed.join(", ")})`
          : `must be one of: ${allowed.join(", ")}`;
        break;
      }
      case "propertyNames":
        message = `invalid property name "${(error.params as { propertyName: string }).propertyName}"`;
        break;
      case "pattern":
        message = `must match ${(error.params as { pattern: string }).pattern}`;
        break;
      case "type":
        message = `must be ${typeWords(typesAt.get(error.instancePath) ?? [])}`;
        break;
      case "anyOf":
        message = "is none of the forms allowed here (see the schema's description of this field)";
        break;
      default:
        message = error.message ?? "is invalid";
    }
    const text = `${formatPath(target)}|${message}`;
    if (seen.has(text)) continue;
    seen.add(text);
    out.push(problem(target, message, key));
  }
  return out;
}

function pointerToSegments(pointer: string): Segment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** The YAML node at a path; with `key`, the key node of the last segment (for "unknown property"). */
function findNode(doc: Document, segments: readonly Segment[], key: boolean): Node | undefined {
  const { isMap, isPair, isScalar, isSeq } = yamlLib();
  let node: unknown = doc.contents;
  let last: Node | undefined = doc.contents ?? undefined;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return last;
      if (key && i === segments.length - 1) return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
    } else {
      return last;
    }
    if (node && typeof node === "object" && "range" in node) last = node as Node;
  }
  return last;
}
