/**
 * The normalized catalog definition: what `@ws-errors/codegen` produces from a catalog file and
 * what generated modules embed. The runtime (codecs, policy) reads only this shape, so a catalog
 * loaded at run time and a generated one behave identically.
 */

/** A JSON value as it appears on the wire. */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };

/** A wire code: catalogs use numbers (`2001`) or strings (`"TOO_MANY_REQUESTS"`). */
export type WireCode = string | number;

/** The three layers of a WebSocket connection on which an error can be seen. */
export type Layer = "upgrade" | "frame" | "close";

/** Whether an error answers one command (correlated by a request id) or concerns the connection. */
export type Scope = "connection" | "command" | "both";

/**
 * What a client should do after an error:
 * - `stop`: do not retry (a command fails; a closed connection is not reopened);
 * - `retry-later`: retry the same message after the delay the error carries;
 * - `reconnect`: reconnect with capped exponential backoff;
 * - `resume`: reconnect, then resume from the last sequence id seen;
 * - `refresh-credentials`: obtain new credentials, then reconnect;
 * - `free-connection`: close another connection of the same key, then reconnect;
 * - `reauthenticate`: authenticate again on the open connection, without reconnecting (a close
 *   saying it refreshes credentials and reconnects);
 * - `resubscribe`: subscribe again to the channel or subscription the error is scoped to, on the
 *   open connection (a close saying it reconnects, then re-subscribes).
 */
export type Directive = "stop" | "retry-later" | "reconnect" | "resume" | "refresh-credentials" | "free-connection" | "reauthenticate" | "resubscribe";

/**
 * Where the delay of a `retry-later` (or a reconnect) comes from. By default the delay is a floor
 * under the client's backoff; with `replacesBackoff` it is the delay itself (`{ ms: 0,
 * replacesBackoff: true }` reconnects at once, as some APIs ask).
 */
export type DelaySource = (
  | { readonly header: string }
  | { readonly field: string; readonly unit: "seconds" | "milliseconds" | "epoch-seconds" | "epoch-milliseconds" }
  | { readonly ms: number }
  /** A delay drawn at random in `[fromMs, toMs]` ("wait a random 1 to 5 seconds"). */
  | { readonly window: { readonly fromMs: number; readonly toMs: number } }
) & { readonly replacesBackoff?: true };

export interface RetrySpec {
  readonly directive: Directive;
  readonly delay?: DelaySource;
  /**
   * Where to reconnect: the detail field holding the URL the server names (`reconnect_url`). Said
   * by a frame, the client opens the new connection before it closes the old one.
   */
  readonly url?: { readonly field: string };
  /** Why the directive differs from what the entry's kind usually takes, as the catalog says. */
  readonly because?: string;
}

/** One test on a decoded frame; all conditions of a frame form must hold for it to match. */
export interface Condition {
  readonly path: string;
  readonly equals?: Json;
  readonly notEquals?: Json;
  readonly exists?: boolean;
}

/** Fields stamped on every encoded frame of a form (ids and timestamps the API puts on messages). */
export type Stamp = "iso-timestamp" | "unix-ms" | "message-id";

/** One error-frame layout of a dialect. Paths are dot-separated; `""` is the frame itself. */
export interface FrameForm {
  readonly name: string;
  /** Which errors are encoded with this form: connection-scope, command-scope, or both. */
  readonly scope: Scope;
  readonly match: readonly Condition[];
  /** Path of the error code; absent for APIs whose frames carry only a label or a message. */
  readonly code?: string;
  /** Path of a second identifier beside the code (a label such as `"RATE_LIMITED"`). */
  readonly label?: string;
  readonly message?: string;
  readonly field?: string;
  readonly requestId?: string;
  readonly command?: string;
  readonly details?: string;
  /** Path of an array of `{code, message, field}` items when one frame carries several errors. */
  readonly errors?: string;
  /** Where each item of `errors` keeps its fields, when not beside each other as the form's own are. */
  readonly items?: ItemPaths;
  readonly constant?: { readonly [path: string]: Json };
  readonly stamps?: { readonly [path: string]: Stamp };
}

/** Paths inside one item of a multi-error list (`extensions.code`, `path`). */
export interface ItemPaths {
  readonly code?: string;
  readonly label?: string;
  readonly message?: string;
  readonly field?: string;
}

export interface UpgradeForm {
  /** Response header carrying a short description, e.g. `X-WS-Error`. */
  readonly header?: string;
  readonly code?: string;
  readonly message?: string;
  readonly details?: string;
  readonly constant?: { readonly [path: string]: Json };
}

/** How codes that the catalog does not list are still given a kind and a directive. */
export interface Fallback {
  readonly layer: Layer;
  /**
   * A frame path whose value `codes` and the range are compared with, instead of the frame's code
   * (a status or an error type that classifies codes the catalog does not list). Frames only.
   */
  readonly path?: string;
  readonly codes?: readonly WireCode[];
  readonly from?: number;
  readonly to?: number;
  readonly kind: KindName;
  readonly retry: RetrySpec;
  readonly summary: string;
}

export interface SuccessSpec {
  readonly match: readonly Condition[];
  readonly codes: readonly { readonly code: WireCode; readonly summary: string }[];
}

/** Where a client message carries its command and correlation id (replies echo them). */
export interface RequestForm {
  readonly command: string;
  readonly requestId?: string;
  /** Where replies carry the id, when not where requests do (a `receipt` answered with `receipt-id`). */
  readonly replyId?: string;
  /**
   * Where a request may carry the W3C `traceparent` of the client's span, so the server's span of
   * the command continues the client's trace. Optional in every message; the server ignores a
   * value that is not a well-formed `traceparent`.
   */
  readonly traceContext?: string;
  /**
   * `uncorrelated`: error replies carry no request id. A client settles the oldest pending request
   * of the reply's command (or of the connection) with such an error; a server writes none.
   */
  readonly errorReplies?: "uncorrelated";
}

export interface Dialect {
  readonly frames: readonly FrameForm[];
  readonly requests?: RequestForm;
  readonly success?: SuccessSpec;
  /** Path of the sequence id on stream messages, for `resume`. */
  readonly sequence?: string;
  readonly upgrade: UpgradeForm;
  readonly fallbacks: readonly Fallback[];
  /**
   * Which entry a server answers what it detects itself with, by id, where the API says so: an API
   * that closes the connection on a malformed message names an entry with only a close layer.
   * Without it, a server picks by kind (see `serverDefaults`).
   */
  readonly answers?: { readonly malformed?: string; readonly unknownCommand?: string; readonly internal?: string };
  /**
   * How frames are written as text: JSON (the default), or `headers` for text protocols that frame
   * a message as a command line, `key:value` headers, a blank line and a body (read as
   * `{ command, headers, body }`). A grammar of one's own goes through `withGrammar`.
   */
  readonly grammar?: "json" | "headers";
  /** Free text kept with the catalog: where the dialect was chosen rather than documented. */
  readonly notes?: string;
}

export type DetailType = "string" | "integer" | "number" | "boolean" | "string[]" | "object" | "object[]";

export interface DetailSpec {
  readonly type: DetailType;
  readonly summary?: string;
}

export interface EntrySpec {
  readonly id: string;
  readonly className: string;
  readonly code: WireCode;
  readonly kind: KindName;
  readonly scope: Scope;
  readonly summary: string;
  /** The default message on the wire, when it differs from the docs summary. */
  readonly message?: string;
  readonly description?: string;
  readonly guidance?: string;
  readonly retry: RetrySpec;
  readonly details: { readonly [name: string]: DetailSpec };
  /** Other codes that mean this entry: decoded to it on every layer, never written. */
  readonly aliases?: readonly WireCode[];
  readonly frame?: FrameSpec;
  readonly upgrade?: { readonly status: number; readonly header?: string };
  readonly close?: CloseSpec;
  /**
   * Browsers see a rejected upgrade only as close 1006: accept, then close with this code. Servers
   * also close with it when they end a connection for this error after the upgrade (a revoked key)
   * and the entry has no close of its own.
   */
  readonly browserFallback?: { readonly code: number; readonly reason: string };
  readonly deprecated?: string;
}

/** How an entry appears as an error frame. */
export interface FrameSpec {
  /** The code written on encode (the entry's code unless the frame uses another). */
  readonly code: WireCode;
  /** The value of the form's `label` field: read as a second identifier, written on encode. */
  readonly label?: string;
  /**
   * The message as the API words it, with `{placeholders}` for detail fields: frames without a
   * code are matched by it, shared codes are told apart by it, and the parts it captures become
   * typed details. Matched in one left-to-right pass, never by a regular expression.
   */
  readonly template?: string;
  /** More conditions on the frame that tell this entry apart from others sharing its code; `equals` ones are written on encode. */
  readonly when?: readonly Condition[];
  /** The name of the frame form to encode it with, instead of the one its scope picks. */
  readonly form?: string;
  /** Values written at these paths when encoding this entry (a sub-code, a type). */
  readonly constant?: { readonly [path: string]: Json };
}

/** How an entry appears as a close. */
export interface CloseSpec {
  readonly code: number;
  /** The reason written on encode; may hold `{placeholders}` for detail fields when reasons are matched. */
  readonly reason: string;
  /** Only a close with this reason (and this code) means the entry. */
  readonly matchReason: boolean;
  /** The reason alone decides, whatever the close code (APIs that close with 1008 or 4000 alike). */
  readonly anyCode?: true;
  /** The API may close after this entry's frame, or may not: servers send the frame only, clients do not wait for a close. */
  readonly optional?: true;
  /**
   * The API closes right after this entry's frame with a code it does not document: any close that
   * follows the frame is this entry, whatever its code, and `code` (1008 unless the catalog gives
   * one) is only what servers close with, never matched on its own.
   */
  readonly afterFrame?: true;
  /** What a client does after this close, when it differs from the entry's retry (the frame's). */
  readonly retry?: RetrySpec;
}

export interface CatalogSpec {
  readonly name: string;
  readonly title: string;
  readonly description?: string;
  readonly version: string;
  readonly dialect: Dialect;
  readonly errors: readonly EntrySpec[];
}

import type { KindName } from "./kinds";

/**
 * A catalog's reference text: what its page explains and the runtime never reads. Generated
 * modules keep it in `<catalog>.reference`, apart from the codec, so browser bundles do not carry it.
 */
export interface CatalogReference {
  readonly catalog: string;
  readonly description?: string;
  /** The dialect's notes: where it was chosen rather than documented. */
  readonly notes?: string;
  readonly errors: {
    readonly [id: string]: {
      readonly description?: string;
      readonly guidance?: string;
      /** Detail field summaries, by field name. */
      readonly details?: { readonly [name: string]: string };
    };
  };
}
