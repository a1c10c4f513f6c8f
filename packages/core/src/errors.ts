import type { KIND_DIRECTIVES, KindName } from "./kinds";
import type { EntrySpec, Layer, RetrySpec, Scope, WireCode } from "./spec";
import type { TemplateSupport } from "./template";

/** Brand that marks ws-errors instances across bundler renames and duplicate package copies. */
const BRAND = Symbol.for("ws-errors.error");

/** Wire facts that only some layers carry. */
export interface WireInfo {
  /** HTTP status of a rejected upgrade. */
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly closeCode?: number;
  readonly closeReason?: string;
  /** A frame's code as sent, kept where the frame also carries a label (the code decides between them). */
  readonly code?: string | number;
  /** A frame's label as sent (`"TOO_FAST"`), beside its code. */
  readonly label?: string;
}

/** What a caller may give when building an error to send. */
export interface WsErrorInit<D extends object = Record<string, unknown>> {
  readonly message?: string;
  readonly details?: D;
  readonly field?: string;
  readonly requestId?: string | number;
  readonly command?: string;
  readonly cause?: unknown;
}

/** The static facts of one catalog entry, bound to its generated (or runtime-built) class. */
export interface EntryBinding {
  readonly catalog: string;
  readonly tag: string;
  readonly entry: EntrySpec;
  /** The entry's message template filled with details, for entries with one. */
  readonly render?: ((details: Readonly<Record<string, unknown>>) => string) | undefined;
}

const ENTRY = Symbol.for("ws-errors.entry");
const KIND = Symbol.for("ws-errors.kind");

/**
 * The base of every ws-errors error. Generated classes extend a kind class, which extends this.
 *
 * Identity does not rest on `instanceof` alone: every instance carries a string `_tag`
 * (`"collective2/too-many-requests"`) and `kind`, and `instanceof` itself is answered from those
 * strings, so it keeps working when a bundler renames classes or two copies of the package load.
 *
 * Errors decoded from the wire are built without running the `Error` constructor, so they pay for
 * no stack trace; their `stack` is a one-line description.
 *
 * @example
 * ```ts
 * import { WsError } from "@ws-errors/core";
 * if (error instanceof WsError) console.log(error.kind, error.code, error.retry.directive);
 * ```
 */
export class WsError<D extends object = Record<string, unknown>> extends Error {
  /** `"<catalog>/<entry id>"`, or `"<catalog>/uncatalogued"` for a code the catalog does not list. */
  declare readonly _tag: string;
  declare readonly catalog: string;
  /** The entry's stable identifier in its catalog. */
  declare readonly id: string;
  declare readonly code: WireCode;
  declare readonly kind: KindName;
  declare readonly scope: Scope;
  declare readonly retry: RetrySpec;
  /** The layer the error was seen on, or is meant for. */
  layer: Layer;
  details: D;
  field: string | undefined;
  requestId: string | number | undefined;
  command: string | undefined;
  wire: WireInfo | undefined;
  /** The frame, close or response as received, for errors decoded from the wire. */
  raw: unknown;
  /** When one frame carried several errors (validation errors, say): all of them, this one first. */
  declare readonly errors?: readonly WsError[];

  constructor(init: WsErrorInit<D> = {}) {
    super(init.message ?? "", init.cause === undefined ? undefined : { cause: init.cause });
    if (init.message === undefined) this.message = this.defaultMessage(init.details);
    this.layer = "frame";
    this.details = init.details ?? ({} as D);
    this.field = init.field;
    this.requestId = init.requestId;
    this.command = init.command;
    this.wire = undefined;
    this.raw = undefined;
  }

  /** The entry's message template filled with the details, or its message or summary, used when no message is given ("" for a bare kind class). */
  protected defaultMessage(details?: object): string {
    const found = bound(this.constructor);
    if (found?.render) return found.render((details ?? {}) as Record<string, unknown>);
    return found?.entry.message ?? found?.entry.summary ?? "";
  }

  /**
   * A JSON form with every public field; `cause` and `raw` are left out because they may hold
   * internal or unbounded data.
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      _tag: this._tag,
      name: this.name,
      catalog: this.catalog,
      id: this.id,
      code: this.code,
      kind: this.kind,
      scope: this.scope,
      layer: this.layer,
      message: this.message,
      retry: this.retry,
      details: this.details,
    };
    if (this.field !== undefined) out.field = this.field;
    if (this.requestId !== undefined) out.requestId = this.requestId;
    if (this.command !== undefined) out.command = this.command;
    if (this.wire !== undefined) out.wire = this.wire;
    return out;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (!isWsError(value)) return Function.prototype[Symbol.hasInstance].call(this, value);
    if (this === WsError) return true;
    const entry = Object.hasOwn(this, ENTRY) ? (this as unknown as Record<symbol, EntryBinding>)[ENTRY] : undefined;
    if (entry) return value._tag === entry.tag;
    const kind = Object.hasOwn(this, KIND) ? (this as unknown as Record<symbol, KindName>)[KIND] : undefined;
    if (kind) return value.kind === kind;
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

const NO_DETAILS = Object.freeze({});

Object.defineProperty(WsError.prototype, BRAND, { value: true });
setProto(WsError.prototype, {
  name: "WsError",
  _tag: "ws-errors/error",
  catalog: "",
  id: "error",
  code: "",
  kind: "unknown",
  scope: "connection",
  retry: { directive: "stop" },
});
/* Defaults that wire-decoded instances inherit instead of storing: see fromWire. */
setProto(WsError.prototype, {
  layer: "frame",
  details: NO_DETAILS,
  field: undefined,
  requestId: undefined,
  command: undefined,
  wire: undefined,
  raw: undefined,
});

/** The stack of a wire-decoded error is computed only when read, and without capturing frames. */
Object.defineProperty(WsError.prototype, "stack", {
  configurable: true,
  get(this: WsError) {
    return `${this.name}: ${this.message}\n    at <decoded from the ${this.layer} layer>`;
  },
  set(this: WsError, value: unknown) {
    Object.defineProperty(this, "stack", { value, writable: true, configurable: true });
  },
});

function setProto(proto: object, values: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(values)) {
    Object.defineProperty(proto, key, { value, writable: true, configurable: true, enumerable: false });
  }
}

function bound(ctor: unknown): EntryBinding | undefined {
  return typeof ctor === "function" && Object.hasOwn(ctor, ENTRY) ? (ctor as unknown as Record<symbol, EntryBinding>)[ENTRY] : undefined;
}

/**
 * Whether a value is a ws-errors error, from any copy of the package.
 *
 * @example
 * ```ts
 * socket.on("error", (e) => { if (isWsError(e)) console.log(e.kind); });
 * ```
 */
export function isWsError(value: unknown): value is WsError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Whether a value is a ws-errors error of one of the given kinds.
 *
 * @example
 * ```ts
 * if (hasKind(error, "rate-limited", "quota-exhausted")) await sleep(1000);
 * ```
 */
export function hasKind<K extends KindName>(value: unknown, ...kinds: K[]): value is WsError & { readonly kind: K } {
  return isWsError(value) && (kinds as string[]).includes(value.kind);
}

/** A class of ws-errors error, generated or built at run time. */
// `any` details: a class of any entry, whatever its detail fields, is a WsErrorClass.
// biome-ignore lint/suspicious/noExplicitAny: a class of any detail shape; `unknown` would reject every generated class
export type WsErrorClass<E extends WsError = WsError> = (new (init?: WsErrorInit<any>) => E) & { prototype: E };

/**
 * Binds a catalog entry to a class: sets the prototype's identity fields that every instance shares,
 * so decoding assigns only per-message fields. Generated classes call it from a static block.
 *
 * @example
 * ```ts
 * class TooManyRequestsError extends RateLimitedError {
 *   static readonly entry = bindEntry(this, "collective2", spec.errors[0]);
 * }
 * ```
 */
export function bindEntry(ctor: abstract new (...args: never[]) => WsError, catalog: string, entry: EntrySpec, templates?: TemplateSupport): EntryBinding {
  const tag = `${catalog}/${entry.id}`;
  const source = entry.frame?.template;
  if (source !== undefined && !templates)
    throw new TypeError(`entry "${tag}" has a message template: pass the template support to bindEntry (generated modules do)`);
  // Parsed once: errors built to be sent render their message from it every time.
  const template = source === undefined ? undefined : templates?.compile(source);
  const render = template && templates ? (details: Readonly<Record<string, unknown>>) => templates.render(template, details) : undefined;
  const bound: EntryBinding = { catalog, tag, entry, render };
  Object.defineProperty(ctor, ENTRY, { value: bound });
  setProto(ctor.prototype, {
    name: entry.className,
    _tag: tag,
    catalog,
    id: entry.id,
    code: entry.code,
    kind: entry.kind,
    scope: entry.scope,
    retry: entry.retry,
  });
  return bound;
}

/** The entry a class was bound to, if any. */
export function entryOf(ctor: unknown): EntryBinding | undefined {
  return bound(ctor);
}

type AnyDetails = Record<string, unknown>;

/*
 * A kind's base class, described on its prototype. Each is made by a pure call rather than set up
 * by a loop over all of them, so a bundle keeps only the kinds its catalog's classes extend; each
 * names its directive (the compiler holds it equal to KIND_DIRECTIVES') rather than reading the
 * table, so a bundle that only decodes carries no table of all the kinds, and its name is spelled
 * from the kind (rate-limited: RateLimitedError) rather than written out again. Together these took
 * about 180 B off a gzipped decoder bundle (bench: size).
 */
function kindClass<C extends abstract new (...args: never[]) => WsError, K extends KindName>(
  ctor: C,
  kind: K,
  directive: (typeof KIND_DIRECTIVES)[K],
  name = `${kind.replace(/(?:^|-)(.)/g, (_, c: string) => c.toUpperCase())}Error`,
): C {
  Object.defineProperty(ctor, "name", { value: name });
  Object.defineProperty(ctor, KIND, { value: kind });
  setProto(ctor.prototype, { name, kind, retry: { directive }, _tag: `ws-errors/${kind}` });
  return ctor;
}

/* One base class per canonical kind. Generated classes extend these, so `instanceof RateLimitedError`
   and `ofType(RateLimitedError)` hold for every vendor's rate-limit error. */

class CancelledErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "cancelled";
}
/** Base of every catalog error of kind `cancelled`. @example `if (error instanceof CancelledError) ...` */
export const CancelledError = /* @__PURE__ */ kindClass(CancelledErrorClass, "cancelled", "stop");
export type CancelledError<D extends object = AnyDetails> = CancelledErrorClass<D>;

class UnknownKindErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "unknown";
}
/** Base of every catalog error of kind `unknown`. @example `if (error instanceof UnknownKindError) ...` */
export const UnknownKindError = /* @__PURE__ */ kindClass(UnknownKindErrorClass, "unknown", "stop", "UnknownKindError");
export type UnknownKindError<D extends object = AnyDetails> = UnknownKindErrorClass<D>;

class InvalidArgumentErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "invalid-argument";
}
/** Base of every catalog error of kind `invalid-argument`. @example `if (error instanceof InvalidArgumentError) ...` */
export const InvalidArgumentError = /* @__PURE__ */ kindClass(InvalidArgumentErrorClass, "invalid-argument", "stop");
export type InvalidArgumentError<D extends object = AnyDetails> = InvalidArgumentErrorClass<D>;

class InvalidMessageErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "invalid-message";
}
/** Base of every catalog error of kind `invalid-message`. @example `if (error instanceof InvalidMessageError) ...` */
export const InvalidMessageError = /* @__PURE__ */ kindClass(InvalidMessageErrorClass, "invalid-message", "stop");
export type InvalidMessageError<D extends object = AnyDetails> = InvalidMessageErrorClass<D>;

class UnknownCommandErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "unknown-command";
}
/** Base of every catalog error of kind `unknown-command`. @example `if (error instanceof UnknownCommandError) ...` */
export const UnknownCommandError = /* @__PURE__ */ kindClass(UnknownCommandErrorClass, "unknown-command", "stop");
export type UnknownCommandError<D extends object = AnyDetails> = UnknownCommandErrorClass<D>;

class OutOfRangeErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "out-of-range";
}
/** Base of every catalog error of kind `out-of-range`. @example `if (error instanceof OutOfRangeError) ...` */
export const OutOfRangeError = /* @__PURE__ */ kindClass(OutOfRangeErrorClass, "out-of-range", "stop");
export type OutOfRangeError<D extends object = AnyDetails> = OutOfRangeErrorClass<D>;

class NotFoundErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "not-found";
}
/** Base of every catalog error of kind `not-found`. @example `if (error instanceof NotFoundError) ...` */
export const NotFoundError = /* @__PURE__ */ kindClass(NotFoundErrorClass, "not-found", "stop");
export type NotFoundError<D extends object = AnyDetails> = NotFoundErrorClass<D>;

class AlreadyExistsErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "already-exists";
}
/** Base of every catalog error of kind `already-exists`. @example `if (error instanceof AlreadyExistsError) ...` */
export const AlreadyExistsError = /* @__PURE__ */ kindClass(AlreadyExistsErrorClass, "already-exists", "stop");
export type AlreadyExistsError<D extends object = AnyDetails> = AlreadyExistsErrorClass<D>;

class PermissionDeniedErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "permission-denied";
}
/** Base of every catalog error of kind `permission-denied`. @example `if (error instanceof PermissionDeniedError) ...` */
export const PermissionDeniedError = /* @__PURE__ */ kindClass(PermissionDeniedErrorClass, "permission-denied", "stop");
export type PermissionDeniedError<D extends object = AnyDetails> = PermissionDeniedErrorClass<D>;

class UnauthenticatedErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "unauthenticated";
}
/** Base of every catalog error of kind `unauthenticated`. @example `if (error instanceof UnauthenticatedError) ...` */
export const UnauthenticatedError = /* @__PURE__ */ kindClass(UnauthenticatedErrorClass, "unauthenticated", "refresh-credentials");
export type UnauthenticatedError<D extends object = AnyDetails> = UnauthenticatedErrorClass<D>;

class FailedPreconditionErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "failed-precondition";
}
/** Base of every catalog error of kind `failed-precondition`. @example `if (error instanceof FailedPreconditionError) ...` */
export const FailedPreconditionError = /* @__PURE__ */ kindClass(FailedPreconditionErrorClass, "failed-precondition", "stop");
export type FailedPreconditionError<D extends object = AnyDetails> = FailedPreconditionErrorClass<D>;

class RateLimitedErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "rate-limited";
}
/** Base of every catalog error of kind `rate-limited`. @example `if (error instanceof RateLimitedError) ...` */
export const RateLimitedError = /* @__PURE__ */ kindClass(RateLimitedErrorClass, "rate-limited", "retry-later");
export type RateLimitedError<D extends object = AnyDetails> = RateLimitedErrorClass<D>;

class QuotaExhaustedErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "quota-exhausted";
}
/** Base of every catalog error of kind `quota-exhausted`. @example `if (error instanceof QuotaExhaustedError) ...` */
export const QuotaExhaustedError = /* @__PURE__ */ kindClass(QuotaExhaustedErrorClass, "quota-exhausted", "stop");
export type QuotaExhaustedError<D extends object = AnyDetails> = QuotaExhaustedErrorClass<D>;

class ConnectionLimitErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "connection-limit";
}
/** Base of every catalog error of kind `connection-limit`. @example `if (error instanceof ConnectionLimitError) ...` */
export const ConnectionLimitError = /* @__PURE__ */ kindClass(ConnectionLimitErrorClass, "connection-limit", "free-connection");
export type ConnectionLimitError<D extends object = AnyDetails> = ConnectionLimitErrorClass<D>;

class SubscriptionLimitErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "subscription-limit";
}
/** Base of every catalog error of kind `subscription-limit`. @example `if (error instanceof SubscriptionLimitError) ...` */
export const SubscriptionLimitError = /* @__PURE__ */ kindClass(SubscriptionLimitErrorClass, "subscription-limit", "stop");
export type SubscriptionLimitError<D extends object = AnyDetails> = SubscriptionLimitErrorClass<D>;

class ChannelUnavailableErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "channel-unavailable";
}
/** Base of every catalog error of kind `channel-unavailable`. @example `if (error instanceof ChannelUnavailableError) ...` */
export const ChannelUnavailableError = /* @__PURE__ */ kindClass(ChannelUnavailableErrorClass, "channel-unavailable", "retry-later");
export type ChannelUnavailableError<D extends object = AnyDetails> = ChannelUnavailableErrorClass<D>;

class HeartbeatTimeoutErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "heartbeat-timeout";
}
/** Base of every catalog error of kind `heartbeat-timeout`. @example `if (error instanceof HeartbeatTimeoutError) ...` */
export const HeartbeatTimeoutError = /* @__PURE__ */ kindClass(HeartbeatTimeoutErrorClass, "heartbeat-timeout", "resume");
export type HeartbeatTimeoutError<D extends object = AnyDetails> = HeartbeatTimeoutErrorClass<D>;

class SlowConsumerErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "slow-consumer";
}
/** Base of every catalog error of kind `slow-consumer`. @example `if (error instanceof SlowConsumerError) ...` */
export const SlowConsumerError = /* @__PURE__ */ kindClass(SlowConsumerErrorClass, "slow-consumer", "resume");
export type SlowConsumerError<D extends object = AnyDetails> = SlowConsumerErrorClass<D>;

class ClientDisconnectErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "client-disconnect";
}
/** Base of every catalog error of kind `client-disconnect`. @example `if (error instanceof ClientDisconnectError) ...` */
export const ClientDisconnectError = /* @__PURE__ */ kindClass(ClientDisconnectErrorClass, "client-disconnect", "resume");
export type ClientDisconnectError<D extends object = AnyDetails> = ClientDisconnectErrorClass<D>;

class UpstreamTimeoutErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "upstream-timeout";
}
/** Base of every catalog error of kind `upstream-timeout`. @example `if (error instanceof UpstreamTimeoutError) ...` */
export const UpstreamTimeoutError = /* @__PURE__ */ kindClass(UpstreamTimeoutErrorClass, "upstream-timeout", "reconnect");
export type UpstreamTimeoutError<D extends object = AnyDetails> = UpstreamTimeoutErrorClass<D>;

class DeadlineExceededErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "deadline-exceeded";
}
/** Base of every catalog error of kind `deadline-exceeded`. @example `if (error instanceof DeadlineExceededError) ...` */
export const DeadlineExceededError = /* @__PURE__ */ kindClass(DeadlineExceededErrorClass, "deadline-exceeded", "retry-later");
export type DeadlineExceededError<D extends object = AnyDetails> = DeadlineExceededErrorClass<D>;

class AbortedErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "aborted";
}
/** Base of every catalog error of kind `aborted`. @example `if (error instanceof AbortedError) ...` */
export const AbortedError = /* @__PURE__ */ kindClass(AbortedErrorClass, "aborted", "retry-later");
export type AbortedError<D extends object = AnyDetails> = AbortedErrorClass<D>;

class UnimplementedErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "unimplemented";
}
/** Base of every catalog error of kind `unimplemented`. @example `if (error instanceof UnimplementedError) ...` */
export const UnimplementedError = /* @__PURE__ */ kindClass(UnimplementedErrorClass, "unimplemented", "stop");
export type UnimplementedError<D extends object = AnyDetails> = UnimplementedErrorClass<D>;

class ServiceUnavailableErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "service-unavailable";
}
/** Base of every catalog error of kind `service-unavailable`. @example `if (error instanceof ServiceUnavailableError) ...` */
export const ServiceUnavailableError = /* @__PURE__ */ kindClass(ServiceUnavailableErrorClass, "service-unavailable", "reconnect");
export type ServiceUnavailableError<D extends object = AnyDetails> = ServiceUnavailableErrorClass<D>;

class InternalErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "internal";
}
/** Base of every catalog error of kind `internal`. @example `if (error instanceof InternalError) ...` */
export const InternalError = /* @__PURE__ */ kindClass(InternalErrorClass, "internal", "reconnect");
export type InternalError<D extends object = AnyDetails> = InternalErrorClass<D>;

class DataLossErrorClass<D extends object = AnyDetails> extends WsError<D> {
  declare readonly kind: "data-loss";
}
/** Base of every catalog error of kind `data-loss`. @example `if (error instanceof DataLossError) ...` */
export const DataLossError = /* @__PURE__ */ kindClass(DataLossErrorClass, "data-loss", "resume");
export type DataLossError<D extends object = AnyDetails> = DataLossErrorClass<D>;

/**
 * The kind base class for each kind name (every one of them: a bundle that imports this keeps all 26).
 *
 * @example
 * ```ts
 * const Base = KIND_CLASSES["rate-limited"]; // RateLimitedError
 * ```
 */
export const KIND_CLASSES = {
  cancelled: CancelledError,
  unknown: UnknownKindError,
  "invalid-argument": InvalidArgumentError,
  "invalid-message": InvalidMessageError,
  "unknown-command": UnknownCommandError,
  "out-of-range": OutOfRangeError,
  "not-found": NotFoundError,
  "already-exists": AlreadyExistsError,
  "permission-denied": PermissionDeniedError,
  unauthenticated: UnauthenticatedError,
  "failed-precondition": FailedPreconditionError,
  "rate-limited": RateLimitedError,
  "quota-exhausted": QuotaExhaustedError,
  "connection-limit": ConnectionLimitError,
  "subscription-limit": SubscriptionLimitError,
  "channel-unavailable": ChannelUnavailableError,
  "heartbeat-timeout": HeartbeatTimeoutError,
  "slow-consumer": SlowConsumerError,
  "client-disconnect": ClientDisconnectError,
  "upstream-timeout": UpstreamTimeoutError,
  "deadline-exceeded": DeadlineExceededError,
  aborted: AbortedError,
  unimplemented: UnimplementedError,
  "service-unavailable": ServiceUnavailableError,
  internal: InternalError,
  "data-loss": DataLossError,
} as const satisfies { [K in KindName]: typeof WsError };

/**
 * An error whose code the catalog does not list. It keeps the raw frame, close or response, and
 * still carries a kind and a directive taken from the catalog's fallbacks for its layer or code
 * range, or from the layer's defaults (close 1011 → reconnect, HTTP 401 → refresh credentials, ...).
 *
 * @example
 * ```ts
 * if (error instanceof UncataloguedError) log.warn("uncatalogued", error.code, error.raw);
 * ```
 */
export class UncataloguedError extends WsError {
  declare code: WireCode;
  declare kind: KindName;
  declare retry: RetrySpec;
  declare scope: Scope;
  declare catalog: string;
  declare _tag: string;
}
setProto(UncataloguedError.prototype, { name: "UncataloguedError", id: "uncatalogued" });
Object.defineProperty(UncataloguedError, KIND, { value: undefined });

/** @deprecated The former name of {@link UncataloguedError}: "unknown" also names a kind. */
export const UnknownWsError = UncataloguedError;
/** @deprecated The former name of {@link UncataloguedError}. */
export type UnknownWsError = UncataloguedError;

/**
 * Builds an error instance without running the `Error` constructor: no stack is captured, which is
 * what keeps decoding cheap. Only values that differ from the prototype's defaults are stored:
 * these stores see every class of a catalog, so they are megamorphic, and each one avoided is
 * ~15 ns saved on an application that decodes many kinds of error.
 */
export { NO_DETAILS };

export function fromWire<E extends WsError>(
  ctor: { prototype: E },
  layer: Layer,
  message: string,
  details: object,
  field: string | undefined,
  requestId: string | number | undefined,
  command: string | undefined,
  wire: WireInfo | undefined,
  raw: unknown,
): E {
  const error = Object.create(ctor.prototype) as E & { message: string };
  error.message = message;
  error.raw = raw;
  if (layer !== "frame") error.layer = layer;
  if (details !== NO_DETAILS) error.details = details as E["details"];
  if (field !== undefined) error.field = field;
  if (requestId !== undefined) error.requestId = requestId;
  if (command !== undefined) error.command = command;
  if (wire !== undefined) error.wire = wire;
  return error;
}
