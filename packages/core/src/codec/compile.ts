import { KIND_CLASSES, NO_DETAILS, type WsError, bindEntry, type WsErrorClass } from "../errors";
import { type compileConditions, define, getPath, isIndex, parsePath, type Path } from "../path";
import type { CatalogSpec, DetailType, EntrySpec, FrameForm, WireCode } from "../spec";
import { closeReasonIsTemplate, TEMPLATES, usesMatching, usesTemplates, type Template, type TemplateSupport } from "../template";
import { numericCode } from "../text";
import type { CodecOptions, ErrorFrameClassifier, ErrorFrameReader } from "../codec";

/*
 * Compiling a catalog: its entries (classes, detail readers, templates, conditions) and its frame
 * forms (paths and readers), once, for the decoder and the encoder to share.
 */

export interface CompiledForm {
  readonly form: FrameForm;
  readonly read: ErrorFrameReader;
  readonly code: Path | undefined;
  readonly label: Path | undefined;
  readonly message: Path | undefined;
  readonly field: Path | undefined;
  readonly requestId: Path | undefined;
  readonly command: Path | undefined;
  readonly details: Path | undefined;
  readonly errors: Path | undefined;
  /** Paths inside an item of the `errors` list: the form's `items`, or the last segments of its own paths. */
  readonly item: { readonly code: Path | undefined; readonly label: Path | undefined; readonly message: Path | undefined; readonly field: Path | undefined };
}

/** One entry as the codec reads it (shared with `matching.ts`; not exported from the package). */
export interface CompiledEntry {
  readonly entry: EntrySpec;
  readonly ctor: WsErrorClass;
  readonly readDetails: (source: unknown) => object;
  /** The frame's message template, parsed once. */
  readonly template: Template | undefined;
  /** The frame's extra conditions, compiled. */
  readonly when: ((value: object) => boolean) | undefined;
  /** The close reason, when it has placeholders. */
  readonly closeTemplate: Template | undefined;
}

/**
 * A catalog compiled once for its decoder and its encoder: what {@link compileDecoder} and
 * {@link withEncoder} take. Opaque: its parts are the runtime's own.
 */
export interface CatalogCompilation<E extends WsError = WsError> {
  readonly catalog: CatalogSpec;
  readonly classes: readonly WsErrorClass<E>[];
}

/* What a compiled catalog holds: shared by the decoder and the encoder, so a codec compiles its
   catalog once, and a decoder alone carries none of the encoder's code. */
export interface Compiled<E extends WsError> extends CatalogCompilation<E> {
  readonly options: CodecOptions<E>;
  readonly entries: readonly CompiledEntry[];
  readonly entriesById: ReadonlyMap<string, CompiledEntry>;
  readonly forms: readonly CompiledForm[];
}

/**
 * Compiles a catalog's entries and frame forms, for generated modules, which always bring their
 * classes: without the run-time class builder, a bundle of one catalog does not carry every kind's
 * base class.
 */
export function compileCatalog<E extends WsError = WsError>(
  catalog: CatalogSpec,
  options: CodecOptions<E> & { readonly classes: readonly WsErrorClass<E>[] },
): CatalogCompilation<E> {
  const { classes } = options;
  // Only catalogs with templates bring the code that reads them, so other bundles carry none of it.
  const templates = options.templates as TemplateSupport;
  const entries: CompiledEntry[] = catalog.errors.map((entry, i) => {
    const when = entry.frame?.when;
    const conditions = when && when.length > 0 ? conditionsOf(catalog, options)(when) : undefined;
    // One check, one message: the generator passes both wherever an entry needs either.
    if ((usesTemplates(entry) && !options.templates) || (usesMatching(entry) && !options.matching))
      throw new TypeError(
        `catalog "${catalog.name}" entry "${entry.id}" is told apart by more than its code: pass \`templates\` and \`matching\` to compileCatalog (generated modules do)`,
      );
    const reason = entry.close && closeReasonIsTemplate(entry.close) ? templates.compile(entry.close.reason) : undefined;
    const template = entry.frame?.template === undefined ? undefined : templates.compile(entry.frame.template);
    return {
      entry,
      ctor: classes[i] as WsErrorClass,
      readDetails: detailsReader(entry),
      template,
      when: conditions,
      closeTemplate: reason !== undefined && reason.names.length > 0 ? reason : undefined,
    };
  });
  const forms: CompiledForm[] = catalog.dialect.frames.map((form, i) => {
    const paths = formPaths(form);
    const read = options.readers?.[i];
    if (!read)
      throw new TypeError(`catalog "${catalog.name}" frame form "${form.name}" has no reader: pass \`readers\` to compileCatalog (generated modules do)`);
    // Items keep their fields under the same keys as the form, unless the form says where.
    const last = (path: Path | undefined, fallback?: string): Path | undefined =>
      path?.length ? [path.at(-1) as string] : fallback === undefined ? undefined : [fallback];
    const items = form.items;
    return {
      form,
      ...paths,
      read,
      item: items
        ? { code: parsePath(items.code), label: parsePath(items.label), message: parsePath(items.message), field: parsePath(items.field) }
        : { code: last(paths.code, "code"), label: last(paths.label), message: last(paths.message), field: last(paths.field) },
    };
  });
  const compiled: Compiled<E> = { catalog, classes, options, entries, entriesById: new Map(entries.map((c) => [c.entry.id, c])), forms };
  return compiled;
}

/* The condition compiler, for a catalog that needs one. */
export function conditionsOf(catalog: CatalogSpec, options: CodecOptions<WsError>): typeof compileConditions {
  if (!options.conditions)
    throw new TypeError(
      `catalog "${catalog.name}" has match conditions that were not specialized: pass \`conditions\` to compileCatalog (generated modules do)`,
    );
  return options.conditions;
}

/* The compiled entry of an error of this catalog. */
export function compiledEntryOf(compiled: Pick<Compiled<WsError>, "catalog" | "entriesById">, error: WsError): CompiledEntry | undefined {
  return error.catalog === compiled.catalog.name ? compiled.entriesById.get(error.id) : undefined;
}

/** Files an entry under a code, and under its other spelling ("9007" and 9007). */
export function file<K extends WireCode>(table: Map<K, CompiledEntry[]>, code: K, compiled: CompiledEntry): void {
  for (const key of [code, ...otherSpelling(code)] as K[]) {
    const list = table.get(key);
    if (list === undefined) table.set(key, [compiled]);
    else if (!list.includes(compiled)) list.push(compiled);
  }
}

export function lookup(table: Map<WireCode, CompiledEntry[]>, code: unknown): CompiledEntry[] | undefined {
  return typeof code === "string" || typeof code === "number" ? table.get(code) : undefined;
}

/** The other spelling of a numeric code: a number's decimal text, or the number a decimal text stands for. */
function otherSpelling(code: WireCode): WireCode[] {
  if (typeof code === "number") return Number.isInteger(code) ? [String(code)] : [];
  const number = numericCode(code);
  return number === undefined ? [] : [number];
}

export function genericClassifier(matchers: readonly ((value: object) => boolean)[]): ErrorFrameClassifier {
  return (value) => {
    for (let i = 0; i < matchers.length; i++) if ((matchers[i] as (value: object) => boolean)(value)) return i;
    return -1;
  };
}

type FormPaths = Readonly<Record<"code" | "label" | "message" | "field" | "requestId" | "command" | "details" | "errors", Path | undefined>>;

/**
 * Whether a frame form's frames are JSON arrays (`[join_ref, ref, topic, event, payload]`): its
 * paths start with an index. Lint keeps a form's paths all indexes or all keys at the top.
 *
 * @example
 * ```ts
 * isArrayForm({ name: "reply", scope: "command", match: [{ path: "3", equals: "phx_reply" }] }); // true
 * ```
 */
export function isArrayForm(form: FrameForm): boolean {
  // What a form matches on tells, or else the paths it reads an error from.
  return [...form.match.map((c) => c.path), form.code, form.label, form.message].some((p) => p !== undefined && isIndex(p.split(".")[0]));
}

export function formPaths(form: FrameForm): FormPaths {
  return {
    code: parsePath(form.code),
    label: parsePath(form.label),
    message: parsePath(form.message),
    field: parsePath(form.field),
    requestId: parsePath(form.requestId),
    command: parsePath(form.command),
    details: parsePath(form.details),
    errors: parsePath(form.errors),
  };
}

/* The run-time reader, for catalogs loaded without generated code (`createCodec`): own properties only. */
export function genericReader(paths: FormPaths): ErrorFrameReader {
  const at = (value: object, path: Path | undefined) => (path === undefined ? undefined : getPath(value, path));
  return (value) => ({
    code: at(value, paths.code),
    label: at(value, paths.label),
    message: at(value, paths.message),
    field: at(value, paths.field),
    requestId: at(value, paths.requestId),
    command: at(value, paths.command),
    details: at(value, paths.details),
    errors: at(value, paths.errors),
  });
}

/** Builds a class at run time for an entry, extending its kind's base class. */
export function runtimeClass(catalog: string, entry: EntrySpec): WsErrorClass {
  const Base = KIND_CLASSES[entry.kind] as unknown as typeof WsError;
  const ctor = class extends Base {};
  Object.defineProperty(ctor, "name", { value: entry.className });
  bindEntry(ctor, catalog, entry, TEMPLATES);
  return ctor as unknown as WsErrorClass;
}

/* A number written as JSON text ("4", "-2.5", "1e3"), as APIs that quote every value send them. */
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
const asNumber = (v: unknown): number | undefined =>
  typeof v === "number" ? v : typeof v === "string" && v.length <= 32 && DECIMAL.test(v) ? Number(v) : undefined;

/* Each detail type's reading of a wire value: the value as the type, or undefined when it is not one. */
const READS: Record<DetailType, (value: unknown) => unknown> = {
  string: (v) => (typeof v === "string" ? v : undefined),
  integer: (v) => {
    const n = asNumber(v);
    return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
  },
  number: (v) => {
    const n = asNumber(v);
    return n !== undefined && Number.isFinite(n) ? n : undefined;
  },
  boolean: (v) => (typeof v === "boolean" ? v : undefined),
  "string[]": (v) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? v : undefined),
  object: (v) => (typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined),
  "object[]": (v) => (Array.isArray(v) && v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x)) ? v : undefined),
};

/**
 * Reads only the entry's declared detail fields, each as its type: a numeric field sent as text
 * (`"retryAfter": "4"`) is read as the number, as codes are; anything else not of the type is left out.
 */
function detailsReader(entry: EntrySpec): (source: unknown) => object {
  const fields = Object.entries(entry.details).map(([name, spec]) => [name, READS[spec.type]] as const);
  if (fields.length === 0) return () => NO_DETAILS;
  return (source) => {
    if (typeof source !== "object" || source === null) return NO_DETAILS;
    const details: Record<string, unknown> = {};
    for (const [name, read] of fields) {
      if (!Object.hasOwn(source, name)) continue;
      const value = read((source as Record<string, unknown>)[name]);
      if (value !== undefined) define(details, name, value);
    }
    return details;
  };
}
