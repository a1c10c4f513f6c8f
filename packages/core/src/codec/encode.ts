import { NO_DETAILS, type WsError } from "../errors";
import { parsePath, setPath, type Path } from "../path";
import type { EntrySpec, Json, Stamp, WireCode } from "../spec";
import type { Template, TemplateSupport } from "../template";
import { sanitizeHeaderValue, truncateCloseReason } from "../text";
import type { Codec, Decoder, EncodeFrameOptions, EncodeUpgradeOptions, UpgradeResponse } from "../codec";
import { NO_ERRORS } from "./decode";
import { compiledEntryOf, isArrayForm, type CatalogCompilation, type Compiled, type CompiledEntry, type CompiledForm } from "./compile";

/* Encoding the three layers, for servers: error frames in the dialect's envelope, upgrade answers and closes. */

const EMPTY = NO_ERRORS;

/* A form as the encoder writes it: made by the encoder only, so a decoder's bundle carries none of it. */
interface WritingForm extends CompiledForm {
  /** Frames of this form are JSON arrays (`[join_ref, ref, topic, event, payload]`): its paths start with an index. */
  readonly array: boolean;
  readonly constants: readonly (readonly [Path, Json])[];
  readonly stamps: readonly (readonly [Path, Stamp])[];
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
export function withEncoder<E extends WsError = WsError>(
  decoder: Decoder<E>,
  source: CatalogCompilation<E>,
  writers?: readonly (ErrorFrameWriter | undefined)[],
): Codec<E> {
  const compiled = source as Compiled<E>;
  const { catalog, entries } = compiled;
  const forms: WritingForm[] = compiled.forms.map((f) => ({
    ...f,
    array: isArrayForm(f.form),
    constants: Object.entries(f.form.constant ?? {}).map(([path, value]) => [parsePath(path) ?? [], value] as const),
    stamps: Object.entries(f.form.stamps ?? {}).map(([path, stamp]) => [parsePath(path) ?? [], stamp] as const),
  }));
  const templates = compiled.options.templates as TemplateSupport;
  const { grammar } = compiled.options;
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
      return [
        entry.id,
        { compiled: c, extras, codeJson: JSON.stringify(entry.frame?.code ?? entry.code), labelJson, lastMessage: undefined, lastMessageJson: "" },
      ];
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
    // Only a message with a brace can be the template unfilled: most pay for no second rendering.
    const unfilled = template.names.length > 0 && error.message.includes("{") && error.message === templates.render(template, NO_DETAILS);
    if (!unfilled && templates.match(template, error.message) !== undefined) return error.message;
    const details = error.details as Record<string, unknown>;
    return fills(template, details) ? templates.render(template, details) : ((entry as CompiledEntry).entry.message ?? (entry as CompiledEntry).entry.summary);
  };

  /* A close's reason, its placeholders filled from the details. Where the code alone decides the
     entry and a detail is missing, the summary goes instead of a reason with {placeholders} in it;
     where the reason is what identifies the entry, it is written as the template renders. */
  const closeReason = (compiled: CompiledEntry, close: NonNullable<EntrySpec["close"]>, details: Record<string, unknown>): string => {
    const template = compiled.closeTemplate;
    if (template === undefined) return close.reason;
    return fills(template, details) || close.matchReason || close.anyCode
      ? templates.render(template, details)
      : (compiled.entry.message ?? compiled.entry.summary);
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
    const compiled =
      named !== undefined
        ? formsByName.get(named)
        : scope === "command" || (scope === "both" && requestId !== undefined)
          ? formFor.command
          : formFor.connection;
    if (compiled === undefined)
      throw new TypeError(
        `catalog "${catalog.name}" has no error-frame form (dialect.frames is empty): ${error?._tag ?? "this error"} cannot be sent as a frame`,
      );
    return compiled;
  }

  function encodeFrame(input: WsError | readonly WsError[], options: EncodeFrameOptions = {}): Record<string, unknown> {
    const errors = Array.isArray(input) ? (input as readonly WsError[]) : [input as WsError];
    const first = errors[0] as WsError;
    const requestId = uncorrelated ? undefined : (options.requestId ?? first.requestId);
    const command = options.command ?? first.command;
    const compiled = formOf(first, requestId);
    const frame = (compiled.array ? [] : {}) as Record<string, unknown>;
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
      return compiled.array ? filled(frame) : frame;
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
    return compiled.array ? filled(frame) : frame;
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
      // A text protocol's frames are built as values, then written in its grammar.
      if (grammar) return grammar.write(encodeFrame(input, options));
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
        if (Object.hasOwn(source, name) && source[name] !== undefined)
          details += `${details === "" ? "" : ","}${JSON.stringify(name)}:${JSON.stringify(source[name])}`;
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
      return { code: close.code, reason: truncateCloseReason(closeReason(compiled, close, error.details as Record<string, unknown>)) };
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
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be escaped
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

/* Whether the details have a value for every placeholder of a template. */
function fills(template: Template, details: Record<string, unknown>): boolean {
  return template.names.every((name) => details[name] !== undefined && details[name] !== null);
}

/* An array frame's slots nobody writes (a join_ref the server does not know) are null, as they read
   once sent: an array with holes would differ from its own JSON. */
function filled(frame: Record<string, unknown>): Record<string, unknown> {
  const slots = frame as unknown as unknown[];
  for (let i = 0; i < slots.length; i++) if (!(i in slots)) slots[i] = null;
  return frame;
}
