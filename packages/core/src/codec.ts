import type { UncataloguedError, WsError, WsErrorClass } from "./errors";
import { compileConditions } from "./path";
import type { CatalogSpec, EntrySpec } from "./spec";
import { MATCHING, type MatchingSupport } from "./matching";
import { TEMPLATES, type TemplateSupport } from "./template";
import { HEADER_FRAMES, type FrameGrammar } from "./grammar";
import { compileCatalog, genericReader, formPaths, runtimeClass } from "./codec/compile";
import { compileDecoder } from "./codec/decode";
import { withEncoder, type ErrorFrameWriter } from "./codec/encode";

/*
 * A catalog's codec: the public shapes, and `createCodec`, which compiles the catalog once
 * (codec/compile.ts) for its decoder (codec/decode.ts) and its encoder (codec/encode.ts).
 */

export { compileCatalog, isArrayForm, runtimeClass, type CatalogCompilation, type CompiledEntry } from "./codec/compile";
export { compileDecoder, NO_ERRORS } from "./codec/decode";
export { withEncoder, type ErrorFrameWriteContext, type ErrorFrameWriter } from "./codec/encode";

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
   * How frames are written as text, when not JSON: generated modules of catalogs with
   * `dialect.grammar: headers` pass `core.HEADER_FRAMES`; `createCodec` picks it from the dialect.
   */
  readonly grammar?: FrameGrammar;
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
  /** How frames are written as text, when not JSON: the client facades and servers parse and write with it. */
  readonly grammar?: FrameGrammar;
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
  const compiled = compileCatalog(catalog, {
    templates: TEMPLATES,
    conditions: compileConditions,
    matching: MATCHING,
    ...(catalog.dialect.grammar === "headers" && { grammar: HEADER_FRAMES }),
    ...options,
    readers,
    classes: options.classes ?? (catalog.errors.map((entry) => runtimeClass(catalog.name, entry)) as unknown as WsErrorClass<E>[]),
  });
  return withEncoder(compileDecoder(compiled), compiled, options.writers);
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
