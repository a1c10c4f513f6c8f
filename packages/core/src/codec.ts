import {
  KIND_CLASSES,
  NO_DETAILS,
  UncataloguedError,
  WsError,
  bindEntry,
  fromWire,
  type WireInfo,
  type WsErrorClass,
} from "./errors";
import { compileConditions, define, getPath, parsePath, setPath, type Path } from "./path";
import { fallbackFor, isCleanClose } from "./retry-policy";
import type { CatalogSpec, DetailType, EntrySpec, FrameForm, Json, Layer, Stamp, WireCode } from "./spec";
import { MATCHING, type MatchingContext, type MatchingSupport } from "./matching";
import { closeReasonIsTemplate, TEMPLATES, usesMatching, usesTemplates, type Template, type TemplateSupport } from "./template";
import { numericCode, sanitizeHeaderValue, truncateCloseReason } from "./text";

/** A close as received or to be sent. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** An HTTP response that answered an upgrade request instead of `101 Switching Protocols`. */
export interface UpgradeResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface EncodeFrameOptions {
  /** Correlation id of the command being answered; defaults to the error's own `requestId`. */
  readonly requestId?: string | number | undefined;
  /** Command being answered (`cmd`, `method`); defaults to the error's own `command`. */
  readonly command?: string | undefined;
  /** Clock for timestamp stamps. */
  readonly now?: () => number;
  /** Source of message ids for `message-id` stamps. */
  readonly messageId?: () => string;
}

export interface EncodeUpgradeOptions {
  /** Adds the header the entry's delay is read from (e.g. `Retry-After`), in seconds. */
  readonly retryAfterSeconds?: number;
}

/** Which frame form a parsed object is (its index in `dialect.frames`), or -1 for no error. */
export type ErrorFrameClassifier = (value: Record<string, unknown>) => number;

/**
 * The fields of one error frame as found, before any type check. Generated readers fill it with
 * direct property reads; the codec checks every type before using a value, so nothing inherited
 * or of the wrong type is ever taken as wire data.
 */
export interface ErrorFrameFields {
  readonly code: unknown;
  /** The second identifier, for forms that have one. */
  readonly label?: unknown;
  readonly message: unknown;
  readonly field: unknown;
  readonly requestId: unknown;
  readonly command: unknown;
  readonly details: unknown;
  readonly errors: unknown;
}

export type ErrorFrameReader = (value: Record<string, unknown>) => ErrorFrameFields;

export interface CodecOptions<E extends WsError> {
  /** Generated classes, in catalog order. Omitted: classes are built at run time from the spec. */
  readonly classes?: readonly WsErrorClass<E>[];
  /** A specialized classifier of all frame forms at once, generated from the dialect. */
  readonly classify?: ErrorFrameClassifier;
  /**
   * One specialized field reader per frame form, in order, generated from the dialect: required by
   * `compileCatalog` (so a generated module's bundle carries no generic reader); `createCodec` reads
   * the dialect's paths when it is omitted.
   */
  readonly readers?: readonly ErrorFrameReader[];
  /** One specialized text writer per frame form (or undefined where the form needs the generic path). */
  readonly writers?: readonly (ErrorFrameWriter | undefined)[];
  /**
   * Template matching and rendering, required when an entry has a message template or a close
   * reason with placeholders (generated modules of such catalogs pass `core.TEMPLATES`).
   */
  readonly templates?: TemplateSupport;
  /**
   * How entries sharing a code are told apart, required when an entry has a label, `when`
   * conditions, a template, or a close matched whatever its code (generated modules of such catalogs
   * pass `core.MATCHING`).
   */
  readonly matching?: MatchingSupport;
  /** A specialized matcher of success replies (`dialect.success`), generated from the dialect. */
  readonly success?: (value: Record<string, unknown>) => boolean;
  /**
   * The compiler of match conditions, required for what was not specialized: an entry's `when`, or a
   * classifier or success matcher not given (`createCodec` passes it; generated modules only when
   * they need it, so other bundles carry none of it).
   */
  readonly conditions?: typeof compileConditions;
}

/**
 * What a client needs of a catalog: decoding on all three layers, sequence ids, and the entries.
 * Generated modules export one as `<catalog>Decoder`; a browser app that only reads errors imports
 * it rather than the whole codec, and its bundle carries no encoder.
 *
 * Decoding never throws: any string, any JSON, any object gives either `null` (not an error),
 * an instance of the catalog's class for the code, or an {@link UncataloguedError} that keeps what
 * was received.
 *
 * @example
 * ```ts
 * import { collective2Decoder } from "@ws-errors/core/catalogs/collective2";
 * const error = collective2Decoder.decodeFrame(text);
 * if (error) console.log(error.kind, error.retry.directive);
 * ```
 */
export interface Decoder<E extends WsError = WsError> {
  readonly catalog: CatalogSpec;
  /** The classes, by entry id. */
  readonly classes: Readonly<Record<string, WsErrorClass<E>>>;
  /** Whether a parsed frame is an error frame of this dialect. */
  isErrorFrame(value: unknown): boolean;
  /** Whether a parsed frame is a success reply sharing the error shape (e.g. `code: 0`). */
  isSuccessFrame(value: unknown): boolean;
  /** The first error a frame carries, or `null`. Accepts the frame's text or its parsed value. */
  decodeFrame(input: unknown): E | UncataloguedError | null;
  /** Every error a frame carries (several for multi-error frames); empty when it is not an error. */
  decodeFrameErrors(input: unknown): readonly (E | UncataloguedError)[];
  /** The error a close means, or `null` for a clean close (1000, 1005) the catalog does not list. */
  decodeClose(input: CloseInfo): E | UncataloguedError | null;
  /** The error a non-101 upgrade response means; `null` for a 101 or 2xx. */
  decodeUpgrade(input: UpgradeResponse): E | UncataloguedError | null;
  /** The sequence id of a stream message, when the dialect has one. */
  readSequence(value: unknown): number | string | undefined;
  /** The catalog entry of an error of this catalog, or `undefined` (another catalog's, or an unknown code). */
  entryOf(error: WsError): EntrySpec | undefined;
}

/**
 * What a server needs of a catalog besides its {@link Decoder}: every layer's encoding.
 *
 * @example
 * ```ts
 * import { collective2, TooManyConnectionsError } from "@ws-errors/core/catalogs/collective2";
 * const response = collective2.encodeUpgrade(new TooManyConnectionsError()); // 429, X-WS-Error, JSON body
 * ```
 */
export interface Encoder {
  /** The error frame, as an object ready for `JSON.stringify`. Several errors share one frame when the dialect allows. */
  encodeFrame(error: WsError | readonly WsError[], options?: EncodeFrameOptions): Record<string, unknown>;
  /**
   * The error frame as JSON text, the same frame as `JSON.stringify(encodeFrame(...))` but written
   * by a writer compiled for the dialect's frame form: what servers send on every error.
   */
  encodeFrameText(error: WsError | readonly WsError[], options?: EncodeFrameOptions): string;
  /** The close for an entry that closes the connection; `undefined` when it does not. */
  encodeClose(error: WsError): CloseInfo | undefined;
  /** The close a browser client gets instead of a rejected upgrade; `undefined` without a fallback. */
  encodeBrowserFallback(error: WsError): CloseInfo | undefined;
  /** The HTTP response that rejects an upgrade; the catalog's internal error for entries without an upgrade layer. */
  encodeUpgrade(error: WsError, options?: EncodeUpgradeOptions): UpgradeResponse;
}

/**
 * Decoders and encoders for one catalog on all three layers: what servers take, and what
 * generated modules export as `<catalog>`.
 *
 * @example
 * ```ts
 * import { collective2, TooManyRequestsError } from "@ws-errors/core/catalogs/collective2";
 * socket.send(collective2.encodeFrameText(new TooManyRequestsError(), { requestId: 7 }));
 * ```
 */
export interface Codec<E extends WsError = WsError> extends Decoder<E>, Encoder {}

const EMPTY: readonly never[] = Object.freeze([]);
/** What `decodeFrameErrors` answers for a frame that is not an error: one frozen empty list. */
export const NO_ERRORS = EMPTY;

interface CompiledForm {
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

/* A form as the encoder writes it: made by the encoder only, so a decoder's bundle carries none of it. */
interface WritingForm extends CompiledForm {
  readonly constants: readonly (readonly [Path, Json])[];
  readonly stamps: readonly (readonly [Path, Stamp])[];
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

/* What writing an entry needs, made by the encoder only (a decoder's bundle carries none of it). */
interface EntryWriting {
  readonly compiled: CompiledEntry;
  /** What this entry writes beyond its form: its `when` equalities and its constants. */
  readonly extras: readonly (readonly [Path, Json])[];
  /** The frame code and label as JSON text, rendered once. */
  readonly codeJson: string;
  readonly labelJson: string | undefined;
  /** The last message written for this entry, and its JSON: most errors are sent with the same message every time. */
  lastMessage: string | undefined;
  lastMessageJson: string;
}

/** An entry matched by its close: through its close layer (whose retry may differ) or its browser fallback. */
interface CloseHit {
  readonly compiled: CompiledEntry;
  readonly viaClose: boolean;
}

/**
 * Builds the codec of a catalog. Generated modules call it with their classes and specialized
 * frame matchers; `ws-errors decode FILE` calls it with a catalog loaded at run time.
 *
 * @example
 * ```ts
 * import { collective2 } from "@ws-errors/core/catalogs/collective2";
 * const error = collective2.decodeFrame(text);
 * if (error) console.log(error.kind, error.retry.directive);
 * ```
 */
export function createCodec<E extends WsError = WsError>(catalog: CatalogSpec, options: CodecOptions<E> = {}): Codec<E> {
  const readers = options.readers ?? catalog.dialect.frames.map((form) => genericReader(formPaths(form)));
  const compiled = compileCatalog(catalog, { templates: TEMPLATES, conditions: compileConditions, matching: MATCHING, ...options, readers, classes: options.classes ?? (catalog.errors.map((entry) => runtimeClass(catalog.name, entry)) as unknown as WsErrorClass<E>[]) });
  return withEncoder(compileDecoder(compiled), compiled, options.writers);
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
interface Compiled<E extends WsError> extends CatalogCompilation<E> {
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
export function compileCatalog<E extends WsError = WsError>(catalog: CatalogSpec, options: CodecOptions<E> & { readonly classes: readonly WsErrorClass<E>[] }): CatalogCompilation<E> {
  const { classes } = options;
  // Only catalogs with templates bring the code that reads them, so other bundles carry none of it.
  const templates = options.templates as TemplateSupport;
  const entries: CompiledEntry[] = catalog.errors.map((entry, i) => {
    const when = entry.frame?.when;
    const conditions = when && when.length > 0 ? conditionsOf(catalog, options)(when) : undefined;
    // One check, one message: the generator passes both wherever an entry needs either.
    if ((usesTemplates(entry) && !options.templates) || (usesMatching(entry) && !options.matching)) throw new TypeError(`catalog "${catalog.name}" entry "${entry.id}" is told apart by more than its code: pass \`templates\` and \`matching\` to compileCatalog (generated modules do)`);
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
    if (!read) throw new TypeError(`catalog "${catalog.name}" frame form "${form.name}" has no reader: pass \`readers\` to compileCatalog (generated modules do)`);
    // Items keep their fields under the same keys as the form, unless the form says where.
    const last = (path: Path | undefined, fallback?: string): Path | undefined => (path?.length ? [path.at(-1) as string] : fallback === undefined ? undefined : [fallback]);
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
function conditionsOf(catalog: CatalogSpec, options: CodecOptions<WsError>): typeof compileConditions {
  if (!options.conditions) throw new TypeError(`catalog "${catalog.name}" has match conditions that were not specialized: pass \`conditions\` to compileCatalog (generated modules do)`);
  return options.conditions;
}

/* The compiled entry of an error of this catalog. */
function compiledEntryOf(compiled: Pick<Compiled<WsError>, "catalog" | "entriesById">, error: WsError): CompiledEntry | undefined {
  return error.catalog === compiled.catalog.name ? compiled.entriesById.get(error.id) : undefined;
}

/**
 * The decoder of a compiled catalog: what generated modules export as `<catalog>Decoder` (behind
 * their own data-frame test).
 */
export function compileDecoder<E extends WsError = WsError>(source: CatalogCompilation<E>): Decoder<E> {
  const { catalog, options, entries, forms } = source as Compiled<E>;
  // Present whenever an entry needs them: compileCatalog checked.
  const { matching } = options;
  const { dialect } = catalog;
  const byId: Record<string, WsErrorClass<E>> = {};
  for (const [i, entry] of catalog.errors.entries()) byId[entry.id] = source.classes[i] as WsErrorClass<E>;
  const classify: ErrorFrameClassifier = options.classify ?? genericClassifier(dialect.frames.map((form) => conditionsOf(catalog, options)(form.match)));
  const successMatch: ((value: Record<string, unknown>) => boolean) | undefined = dialect.success ? (options.success ?? conditionsOf(catalog, options)(dialect.success.match)) : undefined;
  const sequencePath = parsePath(dialect.sequence);
  const entryFor = (error: WsError) => compiledEntryOf(source as Compiled<E>, error)?.entry;

  /* Identifier tables. Every numeric code is also filed under its decimal text and every decimal
     text under its number, so "9007" and 9007 name the same entry with one lookup. */
  const frameCodes = new Map<WireCode, CompiledEntry[]>();
  const frameLabels = new Map<string, CompiledEntry[]>();
  const templated: CompiledEntry[] = [];
  const upgradeCodes = new Map<WireCode, CompiledEntry[]>();
  const upgradeHeaders = new Map<string, CompiledEntry>();
  const upgradeStatuses = new Map<number, CompiledEntry[]>();
  const closeExact = new Map<string, CloseHit>();
  const closeReasons = new Map<string, CloseHit>();
  const closeTemplates: CompiledEntry[] = [];
  const closeCodes = new Map<number, CloseHit>();
  for (const compiled of entries) {
    const { entry } = compiled;
    if (entry.frame) {
      for (const code of [entry.frame.code, ...(entry.aliases ?? [])]) file(frameCodes, code, compiled);
      if (entry.frame.label !== undefined) file(frameLabels, entry.frame.label, compiled);
      if (compiled.template) templated.push(compiled);
    }
    if (entry.upgrade) {
      for (const code of [entry.code, ...(entry.aliases ?? [])]) file(upgradeCodes, code, compiled);
      if (entry.upgrade.header) upgradeHeaders.set(entry.upgrade.header.toLowerCase(), compiled);
      const list = upgradeStatuses.get(entry.upgrade.status) ?? [];
      list.push(compiled);
      upgradeStatuses.set(entry.upgrade.status, list);
    }
    if (entry.close) {
      const { code, reason, matchReason, anyCode } = entry.close;
      const hit = { compiled, viaClose: true };
      if (compiled.closeTemplate) closeTemplates.push(compiled);
      else if (anyCode) closeReasons.set(reason, hit);
      closeExact.set(`${code}\n${reason}`, hit);
      if (!matchReason && !anyCode && !closeCodes.has(code)) closeCodes.set(code, hit);
    }
    if (entry.browserFallback) {
      const { code, reason } = entry.browserFallback;
      const hit = { compiled, viaClose: false };
      if (!closeExact.has(`${code}\n${reason}`)) closeExact.set(`${code}\n${reason}`, hit);
      if (!closeCodes.has(code)) closeCodes.set(code, hit);
    }
  }
  // A code in an upgrade body names its entry even when the entry has no upgrade layer of its own.
  for (const compiled of entries) {
    for (const code of [compiled.entry.code, ...(compiled.entry.aliases ?? [])]) if (!upgradeCodes.has(code)) file(upgradeCodes, code, compiled);
  }
  const upgradeCode = parsePath(dialect.upgrade.code);
  const upgradeMessage = parsePath(dialect.upgrade.message);
  const upgradeDetails = parsePath(dialect.upgrade.details);


  const context: MatchingContext = { templated, closeTemplates, templates: options.templates };

  /**
   * The entry a frame (or an item of a multi-error frame) means. The code decides, or the label
   * when there is no known code; entries sharing them are told apart by matching (their label,
   * `when` conditions and message template), else the first one is meant.
   */
  function resolve(code: unknown, label: unknown, message: unknown, value: object): CompiledEntry | undefined {
    const candidates = lookup(frameCodes, code) ?? (typeof label === "string" ? frameLabels.get(label) : undefined);
    return matching ? matching.resolve(context, candidates, code, label, message, value) : candidates?.[0];
  }

  function uncatalogued(layer: Layer, code: WireCode | undefined, message: string | undefined, wire: WireInfo | undefined, raw: unknown, requestId?: string | number, command?: string): UncataloguedError {
    const policy = fallbackFor(catalog, layer, code);
    const error = fromWire(UncataloguedError, layer, message ?? policy.summary, NO_DETAILS, undefined, requestId, command, wire, raw);
    error._tag = `${catalog.name}/uncatalogued`;
    error.catalog = catalog.name;
    error.code = code ?? "";
    error.kind = policy.kind;
    error.retry = policy.retry;
    error.scope = requestId === undefined ? "connection" : "command";
    return error;
  }

  function build(code: unknown, label: unknown, message: unknown, field: unknown, details: unknown, value: object, requestId: string | number | undefined, command: string | undefined, raw: unknown): E | UncataloguedError {
    const text = typeof message === "string" ? message : undefined;
    const fieldText = typeof field === "string" ? field : undefined;
    const hit = resolve(code, label, message, value);
    if (!hit) {
      const wireCode = typeof code === "string" || typeof code === "number" ? code : typeof label === "string" ? label : undefined;
      const error = uncatalogued("frame", wireCode, text, undefined, raw, requestId, command);
      error.field = fieldText;
      return error;
    }
    let read = hit.readDetails(details);
    if (hit.template !== undefined) {
      const captured = (matching as MatchingSupport).captures(context, hit, hit.template, text);
      if (captured !== undefined) read = Object.assign({}, read, captured);
    }
    return fromWire(hit.ctor, "frame", text ?? hit.entry.message ?? hit.entry.summary, read, fieldText, requestId, command, undefined, raw) as E;
  }

  function parse(input: unknown): Record<string, unknown> | undefined {
    let value = input;
    if (typeof input === "string") {
      try {
        value = JSON.parse(input);
      } catch {
        return undefined;
      }
    }
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  }

  /**
   * The error form a frame is in and its fields, or undefined for anything that is not an error
   * frame: the path every data frame takes (both decoders, so every message a client reads), with no
   * call it can spare: an object is classified at once, and only an error frame pays for the array
   * check, the field reads and the result object.
   */
  function locate(input: unknown): { readonly compiled: CompiledForm; readonly fields: ErrorFrameFields; readonly value: Record<string, unknown> } | undefined {
    const value = typeof input === "string" ? parse(input) : input;
    if (typeof value !== "object" || value === null) return undefined;
    const index = classify(value as Record<string, unknown>);
    // Test before indexing: forms[-1] is an out-of-bounds load V8 serves from a slow path.
    if (index < 0 || Array.isArray(value)) return undefined;
    const compiled = forms[index] as CompiledForm;
    return { compiled, fields: compiled.read(value as Record<string, unknown>), value: value as Record<string, unknown> };
  }

  /** The errors of a frame that lists several (Collective2's payload.errors). */
  function listed(compiled: CompiledForm, fields: ErrorFrameFields, input: unknown): (E | UncataloguedError)[] {
    const requestId = asId(fields.requestId);
    const command = asString(fields.command);
    const { item: paths } = compiled;
    return (fields.errors as unknown[]).map((item) => {
      const get = (path: Path | undefined) => (path === undefined ? undefined : getPath(item, path));
      const value = typeof item === "object" && item !== null ? item : {};
      return build(get(paths.code), get(paths.label), get(paths.message), get(paths.field), undefined, value, requestId, command, input);
    });
  }

  const isList = (fields: ErrorFrameFields) => Array.isArray(fields.errors) && fields.errors.length > 0;

  function decodeFrameErrors(input: unknown): readonly (E | UncataloguedError)[] {
    const found = locate(input);
    if (!found) return EMPTY;
    const { compiled, fields, value } = found;
    if (isList(fields)) return listed(compiled, fields, input);
    return [build(fields.code, fields.label, fields.message, fields.field, fields.details, value, asId(fields.requestId), asString(fields.command), input)];
  }

  function decodeFrame(input: unknown): E | UncataloguedError | null {
    const found = locate(input);
    if (!found) return null;
    const { compiled, fields, value } = found;
    if (isList(fields)) return listed(compiled, fields, input)[0] ?? null;
    return build(fields.code, fields.label, fields.message, fields.field, fields.details, value, asId(fields.requestId), asString(fields.command), input);
  }

  function findClose(code: number, reason: string): { hit: CloseHit; details: object } | undefined {
    const exact = closeExact.get(`${code}\n${reason}`) ?? closeReasons.get(reason);
    if (exact) return { hit: exact, details: NO_DETAILS };
    const templated = matching?.closeByTemplate(context, code, reason);
    if (templated) return { hit: { compiled: templated.compiled, viaClose: true }, details: templated.details };
    const byCode = closeCodes.get(code);
    return byCode && { hit: byCode, details: NO_DETAILS };
  }

  function decodeClose(input: CloseInfo): E | UncataloguedError | null {
    if (typeof input !== "object" || input === null) return null;
    const code = typeof input.code === "number" ? input.code : Number.NaN;
    const reason = typeof input.reason === "string" ? input.reason : "";
    const wire: WireInfo = { closeCode: code, closeReason: reason };
    const found = findClose(code, reason);
    if (found) {
      const { compiled, viaClose } = found.hit;
      const error = fromWire(compiled.ctor, "close", reason || compiled.entry.message || compiled.entry.summary, found.details, undefined, undefined, undefined, wire, input) as E;
      // A close may mean something else for the client than the entry's frame does.
      const retry = viaClose ? compiled.entry.close?.retry : undefined;
      if (retry) Object.defineProperty(error, "retry", { value: retry, writable: true, configurable: true, enumerable: false });
      return error;
    }
    if (!Number.isInteger(code)) return uncatalogued("close", undefined, reason || undefined, wire, input);
    const fallback = catalog.dialect.fallbacks.some((f) => f.layer === "close" && (f.codes?.includes(code) ?? false));
    if (isCleanClose(code) && !fallback) return null;
    return uncatalogued("close", code, reason || undefined, wire, input);
  }

  function decodeUpgrade(input: UpgradeResponse): E | UncataloguedError | null {
    if (typeof input !== "object" || input === null) return null;
    const status = typeof input.status === "number" ? input.status : 0;
    if (status === 101 || (status >= 200 && status < 300)) return null;
    const headers = lowerHeaders(input.headers);
    let body: unknown = input.body;
    if (typeof body === "string") {
      try {
        body = body === "" ? undefined : JSON.parse(body);
      } catch {
        body = undefined;
      }
    }
    const code = upgradeCode ? getPath(body, upgradeCode) : undefined;
    const headerText = dialect.upgrade.header ? headers[dialect.upgrade.header.toLowerCase()] : undefined;
    const message = asString(upgradeMessage ? getPath(body, upgradeMessage) : undefined) ?? headerText;
    const wire: WireInfo = { status, headers };
    // The body's code decides, whatever the status: one status often stands for several errors.
    const byCode = lookup(upgradeCodes, code);
    const byStatus = upgradeStatuses.get(status);
    const byHeader = headerText !== undefined ? upgradeHeaders.get(headerText.toLowerCase()) : undefined;
    const hit =
      (byCode && (byCode.find((c) => c.entry.upgrade?.status === status) ?? byCode[0])) ??
      (byHeader?.entry.upgrade?.status === status ? byHeader : undefined) ??
      (byStatus?.length === 1 && (code === undefined || code === null) ? byStatus[0] : undefined);
    if (hit) {
      const details = upgradeDetails ? hit.readDetails(getPath(body, upgradeDetails)) : NO_DETAILS;
      return fromWire(hit.ctor, "upgrade", message ?? hit.entry.message ?? hit.entry.summary, details, undefined, undefined, undefined, wire, input) as E;
    }
    return uncatalogued("upgrade", status, message, wire, input);
  }

  return {
    catalog,
    classes: byId,
    isErrorFrame(value) {
      return typeof value === "object" && value !== null && !Array.isArray(value) && classify(value as Record<string, unknown>) >= 0;
    },
    isSuccessFrame(value) {
      return successMatch !== undefined && typeof value === "object" && value !== null && !Array.isArray(value) && successMatch(value as Record<string, unknown>);
    },
    decodeFrame,
    decodeFrameErrors,
    decodeClose,
    decodeUpgrade,
    readSequence(value) {
      if (!sequencePath) return undefined;
      const seq = getPath(value, sequencePath);
      return typeof seq === "number" || typeof seq === "string" ? seq : undefined;
    },
    entryOf: entryFor,
  };
}

/**
 * A decoder with a generated module's own functions in place of the runtime's (its data-frame
 * test, its sequence reader): a call, so the module can mark it pure and a bundle that imports
 * only the module's error classes drops the decoder.
 *
 * @example
 * ```ts
 * export const myApiDecoder = /* @__PURE__ *\/ core.internal.specialize(runtime, { readSequence: (value) => ... });
 * ```
 */
export function specialize<E extends WsError>(runtime: Decoder<E>, own: Partial<Decoder<E>>): Decoder<E> {
  return { ...runtime, ...own };
}

/**
 * A decoder with the encoders of its catalog added: the full {@link Codec}, what generated modules
 * export as `<catalog>`. Pure, so a bundle that imports only the decoder leaves it and every
 * encoder out.
 *
 * @param writers One specialized frame writer per form (generated), or undefined for the generic path.
 *
 * @example
 * ```ts
 * // What a generated module does (the call marked pure there, so bundlers may drop it):
 * const compiled = core.internal.compileCatalog(spec, { classes, readers });
 * export const myApiDecoder = core.internal.compileDecoder(compiled);
 * export const myApi = core.withEncoder(myApiDecoder, compiled, [writeForm0]);
 * ```
 */
export function withEncoder<E extends WsError = WsError>(decoder: Decoder<E>, source: CatalogCompilation<E>, writers?: readonly (ErrorFrameWriter | undefined)[]): Codec<E> {
  const compiled = source as Compiled<E>;
  const { catalog, entries } = compiled;
  const forms: WritingForm[] = compiled.forms.map((f) => ({
    ...f,
    constants: Object.entries(f.form.constant ?? {}).map(([path, value]) => [parsePath(path) ?? [], value] as const),
    stamps: Object.entries(f.form.stamps ?? {}).map(([path, stamp]) => [parsePath(path) ?? [], stamp] as const),
  }));
  const templates = compiled.options.templates as TemplateSupport;
  const { dialect } = catalog;
  const uncorrelated = dialect.requests?.errorReplies === "uncorrelated";
  const formsByName = new Map(forms.map((f) => [f.form.name, f]));
  const upgradeCode = parsePath(dialect.upgrade.code);
  const upgradeMessage = parsePath(dialect.upgrade.message);
  const upgradeDetails = parsePath(dialect.upgrade.details);
  const internalEntry = entries.find((c) => c.entry.kind === "internal" && c.entry.upgrade);
  const entriesForError = (error: WsError) => compiledEntryOf(compiled, error);
  const entryFor = (error: WsError) => entriesForError(error)?.entry;
  const writing = new Map<string, EntryWriting>(
    entries.map((c) => {
      const { entry } = c;
      const extras = [
        ...(entry.frame?.when ?? []).filter((w) => w.equals !== undefined).map((w) => [parsePath(w.path) ?? [], w.equals as Json] as const),
        ...Object.entries(entry.frame?.constant ?? {}).map(([path, value]) => [parsePath(path) ?? [], value] as const),
      ];
      const labelJson = entry.frame?.label === undefined ? undefined : JSON.stringify(entry.frame.label);
      return [entry.id, { compiled: c, extras, codeJson: JSON.stringify(entry.frame?.code ?? entry.code), labelJson, lastMessage: undefined, lastMessageJson: "" }];
    }),
  );
  const writingOf = (error: WsError) => (error.catalog === catalog.name ? writing.get(error.id) : undefined);
  /* An entry told apart by its message template is written as the template says: a message that
     does not fit it would decode as another error, or as none (as a close's reason template is).
     Never with its {placeholders} unfilled: an error built without the details its template needs
     (a policy's own, say) is written with its summary, and its code and conditions say which it is. */
  const wireMessage = (error: WsError, entry: CompiledEntry | undefined): string => {
    const template = entry?.template;
    if (template === undefined) return error.message;
    const unfilled = template.names.length > 0 && error.message === templates.render(template, NO_DETAILS);
    if (!unfilled && templates.match(template, error.message) !== undefined) return error.message;
    const details = error.details as Record<string, unknown>;
    if (template.names.every((name) => details[name] !== undefined && details[name] !== null)) return templates.render(template, details);
    return (entry as CompiledEntry).entry.message ?? (entry as CompiledEntry).entry.summary;
  };

  /* One form per scope, looked up once: encoding runs on every error a server sends. A form that
     entries name explicitly (`frame.form`) is theirs, and is not picked by scope for the others. */
  const named = new Set(catalog.errors.map((e) => e.frame?.form));
  const byScope = forms.some((f) => !named.has(f.form.name)) ? forms.filter((f) => !named.has(f.form.name)) : forms;
  const fallbackForm = byScope.find((f) => f.form.scope === "both") ?? byScope[0];
  const formFor = {
    command: byScope.find((f) => f.form.scope === "command") ?? fallbackForm,
    connection: byScope.find((f) => f.form.scope === "connection") ?? fallbackForm,
  };

  /* `entry`: the error's entry when the caller has looked it up already (every frame sent does). */
  function formOf(error: WsError | undefined, requestId: unknown, entry = error && entryFor(error)): WritingForm {
    const named = entry?.frame?.form;
    const scope = error?.scope ?? "connection";
    const compiled = named !== undefined ? formsByName.get(named) : scope === "command" || (scope === "both" && requestId !== undefined) ? formFor.command : formFor.connection;
    if (compiled === undefined) throw new TypeError(`catalog "${catalog.name}" has no error-frame form (dialect.frames is empty): ${error?._tag ?? "this error"} cannot be sent as a frame`);
    return compiled;
  }

  function encodeFrame(input: WsError | readonly WsError[], options: EncodeFrameOptions = {}): Record<string, unknown> {
    const errors = Array.isArray(input) ? (input as readonly WsError[]) : [input as WsError];
    const first = errors[0] as WsError;
    const requestId = uncorrelated ? undefined : (options.requestId ?? first.requestId);
    const command = options.command ?? first.command;
    const compiled = formOf(first, requestId);
    const frame: Record<string, unknown> = {};
    for (const [path, value] of compiled.constants) setPath(frame, path, value);
    for (const [path, stamp] of compiled.stamps) setPath(frame, path, stampValue(stamp, options));
    // A constant at the request id's path (JSON-RPC's `"id": null`) stays when there is no id.
    if (compiled.requestId && requestId !== undefined) setPath(frame, compiled.requestId, requestId);
    if (compiled.command && command !== undefined) setPath(frame, compiled.command, command);
    // A form whose errors live only in a list (no code of its own) lists even a single error.
    if (compiled.errors && (errors.length > 1 || !compiled.code)) {
      const { item: paths } = compiled;
      const items = errors.map((error) => {
        const item: Record<string, unknown> = {};
        const compiledEntry = entriesForError(error);
        const entry = compiledEntry?.entry;
        for (const [path, value] of writingOf(error)?.extras ?? EMPTY) setPath(item, path, value);
        if (paths.code) setPath(item, paths.code, wireCode(error));
        if (paths.label && entry?.frame?.label !== undefined) setPath(item, paths.label, entry.frame.label);
        if (paths.field && error.field !== undefined) setPath(item, paths.field, error.field);
        if (paths.message) setPath(item, paths.message, wireMessage(error, compiledEntry));
        return item;
      });
      setPath(frame, compiled.errors, items);
      return frame;
    }
    const compiledEntry = entriesForError(first);
    const entry = compiledEntry?.entry;
    if (compiled.details) writeDetails(frame, compiled.details, first);
    // After the details: what tells the entry apart (a sub-code) must not be overwritten by them.
    for (const [path, value] of writingOf(first)?.extras ?? EMPTY) setPath(frame, path, value);
    if (compiled.code) setPath(frame, compiled.code, wireCode(first));
    if (compiled.label && entry?.frame?.label !== undefined) setPath(frame, compiled.label, entry.frame.label);
    if (compiled.field && first.field !== undefined) setPath(frame, compiled.field, first.field);
    if (compiled.message) setPath(frame, compiled.message, wireMessage(first, compiledEntry));
    return frame;
  }

  const writerOf = new Map(forms.map((compiled, i) => [compiled, writers?.[i]]));

  function encodeUpgrade(error: WsError, options: EncodeUpgradeOptions = {}): UpgradeResponse {
    const entry = entryFor(error);
    const target = entry?.upgrade ? error : internalEntry ? new (internalEntry.ctor as new () => WsError)() : error;
    const targetEntry = entryFor(target);
    const status = targetEntry?.upgrade?.status ?? 500;
    const body: Record<string, unknown> = {};
    for (const [path, value] of Object.entries(dialect.upgrade.constant ?? {})) setPath(body, parsePath(path) ?? [], value);
    if (upgradeDetails && target === error) writeDetails(body, upgradeDetails, target);
    if (upgradeCode) setPath(body, upgradeCode, target.code);
    if (upgradeMessage) setPath(body, upgradeMessage, target.message);
    const headers: Record<string, string> = { "content-type": "application/json; charset=utf-8" };
    if (dialect.upgrade.header) {
      headers[dialect.upgrade.header.toLowerCase()] = sanitizeHeaderValue(targetEntry?.upgrade?.header ?? target.message);
    }
    const delay = target.retry.delay;
    if (options.retryAfterSeconds !== undefined && delay && "header" in delay) {
      headers[delay.header.toLowerCase()] = String(Math.max(0, Math.ceil(options.retryAfterSeconds)));
    }
    return { status, headers, body: JSON.stringify(body) };
  }

  return {
    ...decoder,
    encodeFrame,
    encodeFrameText(input, options = {}) {
      if (Array.isArray(input) && input.length !== 1) return JSON.stringify(encodeFrame(input, options));
      const error = (Array.isArray(input) ? input[0] : input) as WsError;
      const known = writingOf(error);
      const requestId = uncorrelated ? undefined : (options.requestId ?? error.requestId);
      const compiled = formOf(error, requestId, known?.compiled.entry);
      const writer = writerOf.get(compiled);
      // Entries that write more than their form (a sub-code, a constant) take the generic path.
      if (!writer || !known || known.extras.length > 0) return JSON.stringify(encodeFrame(error, options));
      let details = "";
      const source = error.details as Record<string, unknown>;
      for (const name in known.compiled.entry.details) {
        if (Object.hasOwn(source, name) && source[name] !== undefined) details += `${details === "" ? "" : ","}${JSON.stringify(name)}:${JSON.stringify(source[name])}`;
      }
      const message = known.compiled.template === undefined ? error.message : wireMessage(error, known.compiled);
      if (message !== known.lastMessage) {
        known.lastMessage = message;
        known.lastMessageJson = quote(message);
      }
      const command = options.command ?? error.command;
      return writer({
        code: known.codeJson,
        label: known.labelJson,
        message: known.lastMessageJson,
        field: error.field === undefined ? undefined : quote(error.field),
        requestId: requestId === undefined ? undefined : typeof requestId === "string" ? quote(requestId) : JSON.stringify(requestId),
        command: command === undefined ? undefined : quote(command),
        stamps: compiled.stamps.length === 0 ? NO_STAMPS : stampTexts(compiled.stamps, options),
        details,
      });
    },
    encodeClose(error) {
      const compiled = entriesForError(error);
      const close = compiled?.entry.close;
      if (!close) return undefined;
      const reason = compiled.closeTemplate ? templates.render(compiled.closeTemplate, error.details as Record<string, unknown>) : close.reason;
      return { code: close.code, reason: truncateCloseReason(reason) };
    },
    encodeBrowserFallback(error) {
      const fallback = entryFor(error)?.browserFallback;
      return fallback ? { code: fallback.code, reason: truncateCloseReason(fallback.reason) } : undefined;
    },
    encodeUpgrade,
  };

  function wireCode(error: WsError): WireCode {
    return entryFor(error)?.frame?.code ?? error.code;
  }

  function writeDetails(target: Record<string, unknown>, path: Path, error: WsError): void {
    const entry = entryFor(error);
    if (!entry) return;
    const source = error.details as Record<string, unknown>;
    for (const name of Object.keys(entry.details)) {
      if (Object.hasOwn(source, name) && source[name] !== undefined) setPath(target, [...path, name], source[name]);
    }
  }
}


/** Files an entry under a code, and under its other spelling ("9007" and 9007). */
function file<K extends WireCode>(table: Map<K, CompiledEntry[]>, code: K, compiled: CompiledEntry): void {
  for (const key of [code, ...otherSpelling(code)] as K[]) {
    const list = table.get(key);
    if (list === undefined) table.set(key, [compiled]);
    else if (!list.includes(compiled)) list.push(compiled);
  }
}

function lookup(table: Map<WireCode, CompiledEntry[]>, code: unknown): CompiledEntry[] | undefined {
  return typeof code === "string" || typeof code === "number" ? table.get(code) : undefined;
}

/** The other spelling of a numeric code: a number's decimal text, or the number a decimal text stands for. */
function otherSpelling(code: WireCode): WireCode[] {
  if (typeof code === "number") return Number.isInteger(code) ? [String(code)] : [];
  const number = numericCode(code);
  return number === undefined ? [] : [number];
}

/**
 * What a generated frame writer needs, every value already JSON text (`"\"TOO_MANY_REQUESTS\""`,
 * `"42"`), so the writer only concatenates: the codec renders each value once, from caches where the
 * value repeats (an entry's code and label, its message, a second's timestamp).
 */
export interface ErrorFrameWriteContext {
  readonly code: string;
  /** The entry's label, for forms with a label field. */
  readonly label?: string | undefined;
  readonly message: string;
  readonly field: string | undefined;
  readonly requestId: string | undefined;
  readonly command: string | undefined;
  readonly stamps: readonly string[];
  /** The entry's present detail fields as JSON members (`"limit":5,"plan":"free"`), or "". */
  readonly details: string;
}

/** A frame form's writer, generated from the dialect: the frame's JSON text from its values. */
export type ErrorFrameWriter = (context: ErrorFrameWriteContext) => string;

function genericClassifier(matchers: readonly ((value: object) => boolean)[]): ErrorFrameClassifier {
  return (value) => {
    for (let i = 0; i < matchers.length; i++) if ((matchers[i] as (value: object) => boolean)(value)) return i;
    return -1;
  };
}

type FormPaths = Readonly<Record<"code" | "label" | "message" | "field" | "requestId" | "command" | "details" | "errors", Path | undefined>>;

function formPaths(form: FrameForm): FormPaths {
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
function genericReader(paths: FormPaths): ErrorFrameReader {
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

const CHECKS: Record<DetailType, (value: unknown) => boolean> = {
  string: (v) => typeof v === "string",
  integer: (v) => typeof v === "number" && Number.isInteger(v),
  number: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  "string[]": (v) => Array.isArray(v) && v.every((x) => typeof x === "string"),
  object: (v) => typeof v === "object" && v !== null && !Array.isArray(v),
  "object[]": (v) => Array.isArray(v) && v.every((x) => typeof x === "object" && x !== null && !Array.isArray(x)),
};

/** Reads only the entry's declared detail fields, each checked against its type. */
function detailsReader(entry: EntrySpec): (source: unknown) => object {
  const fields = Object.entries(entry.details).map(([name, spec]) => [name, CHECKS[spec.type]] as const);
  if (fields.length === 0) return () => NO_DETAILS;
  return (source) => {
    if (typeof source !== "object" || source === null) return NO_DETAILS;
    const details: Record<string, unknown> = {};
    for (const [name, check] of fields) {
      if (!Object.hasOwn(source, name)) continue;
      const value = (source as Record<string, unknown>)[name];
      if (check(value)) define(details, name, value);
    }
    return details;
  };
}

function asString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function asId(value: unknown): string | number | undefined {
  return typeof value === "string" || (typeof value === "number" && Number.isFinite(value)) ? value : undefined;
}

function lowerHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof headers !== "object" || headers === null) return out;
  for (const [key, value] of Object.entries(headers)) {
    if (typeof value === "string") define(out, key.toLowerCase(), value);
    else if (Array.isArray(value)) {
      // Only the strings: joining anything else may call a hostile toString (or none at all).
      const parts = value.filter((part): part is string => typeof part === "string");
      if (parts.length > 0) define(out, key.toLowerCase(), parts.join(", "));
    }
  }
  return out;
}

/* Message ids are unique, not secret: a random prefix drawn once per process and a counter cost
   nothing per frame, where drawing 14 random bytes for every error frame did. */
let idPrefix: string | undefined;
let idCounter = 0;
function messageId(): string {
  if (idPrefix === undefined) {
    const bytes = new Uint8Array(7);
    globalThis.crypto.getRandomValues(bytes);
    idPrefix = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  idCounter = (idCounter + 1) % 0x100000000000000;
  return `msg_${idPrefix}${idCounter.toString(16).padStart(14, "0")}`;
}

/* ISO timestamps have second precision on the wire, so one string (and its JSON) serves a whole second. */
let isoSecond = -1;
let isoText = "";
let isoJson = "";
function isoTimestamp(now: number): string {
  const second = Math.floor(now / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    isoJson = `"${isoText}"`;
  }
  return isoText;
}

function isoTimestampJson(now: number): string {
  isoTimestamp(now);
  return isoJson;
}

const NO_STAMPS: readonly string[] = Object.freeze([]);

/* What a string needs escaping for in JSON: quotes, backslashes, control characters, and surrogates
   (a lone one must be escaped). Text without any is its own JSON between quotes, without the cost
   of JSON.stringify, which is most of what writing a frame costs. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON text. */
function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/* The stamps of a frame as JSON text: ids are hex, timestamps come from a per-second cache. */
function stampTexts(stamps: readonly (readonly [Path, Stamp])[], options: EncodeFrameOptions): string[] {
  const texts: string[] = new Array(stamps.length);
  for (let i = 0; i < stamps.length; i++) {
    const stamp = (stamps[i] as readonly [Path, Stamp])[1];
    texts[i] =
      stamp === "iso-timestamp" && options.now === undefined
        ? isoTimestampJson(Date.now())
        : stamp === "message-id" && options.messageId === undefined
          ? `"${messageId()}"`
          : JSON.stringify(stampValue(stamp, options));
  }
  return texts;
}

function stampValue(stamp: Stamp, options: EncodeFrameOptions): Json {
  switch (stamp) {
    case "iso-timestamp":
      return isoTimestamp(options.now?.() ?? Date.now());
    case "unix-ms":
      return options.now?.() ?? Date.now();
    case "message-id":
      return options.messageId?.() ?? messageId();
  }
}
