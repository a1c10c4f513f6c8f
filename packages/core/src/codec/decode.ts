import { NO_DETAILS, UncataloguedError, type WsError, fromWire, type WireInfo, type WsErrorClass } from "../errors";
import { define, getPath, parsePath, type Path } from "../path";
import { fallbackFor, isCleanClose } from "../retry-policy";
import type { Layer, WireCode } from "../spec";
import type { MatchingContext, MatchingSupport } from "../matching";
import type { CloseInfo, Decoder, ErrorFrameClassifier, ErrorFrameFields, UpgradeResponse } from "../codec";
import {
  compiledEntryOf,
  conditionsOf,
  file,
  genericClassifier,
  isArrayForm,
  lookup,
  type CatalogCompilation,
  type Compiled,
  type CompiledEntry,
  type CompiledForm,
} from "./compile";

/* Decoding the three layers: error frames (one error or several), closes and refused upgrades. */

const EMPTY: readonly never[] = Object.freeze([]);
/** What `decodeFrameErrors` answers for a frame that is not an error: one frozen empty list. */
export const NO_ERRORS = EMPTY;

/** An entry matched by its close: through its close layer (whose retry may differ) or its browser fallback. */
interface CloseHit {
  readonly compiled: CompiledEntry;
  readonly viaClose: boolean;
}

/**
 * The decoder of a compiled catalog: what generated modules export as `<catalog>Decoder` (behind
 * their own data-frame test).
 */
export function compileDecoder<E extends WsError = WsError>(source: CatalogCompilation<E>): Decoder<E> {
  const { catalog, options, entries, forms } = source as Compiled<E>;
  // Present whenever an entry needs them: compileCatalog checked.
  const { matching, grammar } = options;
  const { dialect } = catalog;
  const byId: Record<string, WsErrorClass<E>> = {};
  for (const [i, entry] of catalog.errors.entries()) byId[entry.id] = source.classes[i] as WsErrorClass<E>;
  const classify: ErrorFrameClassifier = options.classify ?? genericClassifier(dialect.frames.map((form) => conditionsOf(catalog, options)(form.match)));
  const successMatch: ((value: Record<string, unknown>) => boolean) | undefined = dialect.success
    ? (options.success ?? conditionsOf(catalog, options)(dialect.success.match))
    : undefined;
  const sequencePath = parsePath(dialect.sequence);
  // Frames are arrays only in a dialect whose forms say so ([join_ref, ref, topic, event, payload]);
  // elsewhere an array is data, whatever a form's conditions would make of it.
  const arrays = dialect.frames.some(isArrayForm);
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
    // A close known only by the frame before it is the session's to recognize (ClientSession.closed).
    if (entry.close && !entry.close.afterFrame) {
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

  function uncatalogued(
    layer: Layer,
    code: WireCode | undefined,
    message: string | undefined,
    wire: WireInfo | undefined,
    raw: unknown,
    requestId?: string | number,
    command?: string,
    frame?: object,
  ): UncataloguedError {
    const policy = fallbackFor(catalog, layer, code, frame);
    const error = fromWire(UncataloguedError, layer, message ?? policy.summary, NO_DETAILS, undefined, requestId, command, wire, raw);
    error._tag = `${catalog.name}/uncatalogued`;
    error.catalog = catalog.name;
    error.code = code ?? "";
    error.kind = policy.kind;
    error.retry = policy.retry;
    error.scope = requestId === undefined ? "connection" : "command";
    return error;
  }

  function build(
    code: unknown,
    label: unknown,
    message: unknown,
    field: unknown,
    details: unknown,
    value: object,
    requestId: string | number | undefined,
    command: string | undefined,
    raw: unknown,
  ): E | UncataloguedError {
    const text = typeof message === "string" ? message : undefined;
    const fieldText = typeof field === "string" ? field : undefined;
    const hit = resolve(code, label, message, value);
    if (!hit) {
      const wireCode = typeof code === "string" || typeof code === "number" ? code : typeof label === "string" ? label : undefined;
      const error = uncatalogued("frame", wireCode, text, undefined, raw, requestId, command, value);
      error.field = fieldText;
      return error;
    }
    let read = hit.readDetails(details);
    if (hit.template !== undefined) {
      const captured = (matching as MatchingSupport).captures(context, hit, hit.template, text);
      if (captured !== undefined) read = Object.assign({}, read, captured);
    }
    // Both identifiers as sent, where the frame has a label: a label that names another entry than
    // the code is then still there to see (the code won). Only such frames pay for the object.
    const wire = typeof label === "string" && (typeof code === "string" || typeof code === "number") ? { code, label } : undefined;
    return fromWire(hit.ctor, "frame", text ?? hit.entry.message ?? hit.entry.summary, read, fieldText, requestId, command, wire, raw) as E;
  }

  function parse(input: unknown): Record<string, unknown> | undefined {
    let value = input;
    if (typeof input === "string") {
      if (grammar) value = grammar.parse(input);
      else
        try {
          value = JSON.parse(input);
        } catch {
          return undefined;
        }
    }
    return typeof value === "object" && value !== null && (arrays || !Array.isArray(value)) ? (value as Record<string, unknown>) : undefined;
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
    if (index < 0 || (!arrays && Array.isArray(value))) return undefined;
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
      const error = fromWire(
        compiled.ctor,
        "close",
        reason || compiled.entry.message || compiled.entry.summary,
        found.details,
        undefined,
        undefined,
        undefined,
        wire,
        input,
      ) as E;
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
      return typeof value === "object" && value !== null && (arrays || !Array.isArray(value)) && classify(value as Record<string, unknown>) >= 0;
    },
    isSuccessFrame(value) {
      return (
        successMatch !== undefined &&
        typeof value === "object" &&
        value !== null &&
        (arrays || !Array.isArray(value)) &&
        successMatch(value as Record<string, unknown>)
      );
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
    ...(grammar && { grammar }),
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
