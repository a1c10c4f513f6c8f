import type { Directive } from "./spec";

interface KindInfo {
  /** The gRPC canonical code this kind refines. */
  readonly grpc: string;
  readonly directive: Directive;
  /** Directives a catalog entry of this kind may choose; anything else contradicts the kind. */
  readonly allowed: readonly Directive[];
  readonly summary: string;
}

const STOP = ["stop"] as const;
const RECONNECTING = ["reconnect", "resume", "retry-later", "stop"] as const;

/**
 * The directive each kind takes by default. Kept apart from {@link KINDS} (whose directives the
 * compiler holds equal to these): it is all the runtime needs of the kind table, so a bundle that
 * only decodes and encodes carries no kind summaries. KINDS repeats the values as literals because
 * reading them from here would keep KINDS in every bundle.
 */
export const KIND_DIRECTIVES = {
  cancelled: "stop",
  unknown: "stop",
  "invalid-argument": "stop",
  "invalid-message": "stop",
  "unknown-command": "stop",
  "out-of-range": "stop",
  "not-found": "stop",
  "already-exists": "stop",
  "permission-denied": "stop",
  unauthenticated: "refresh-credentials",
  "failed-precondition": "stop",
  "rate-limited": "retry-later",
  "quota-exhausted": "stop",
  "connection-limit": "free-connection",
  "subscription-limit": "stop",
  "channel-unavailable": "retry-later",
  "heartbeat-timeout": "resume",
  "slow-consumer": "resume",
  "client-disconnect": "resume",
  "upstream-timeout": "reconnect",
  "deadline-exceeded": "retry-later",
  aborted: "retry-later",
  unimplemented: "stop",
  "service-unavailable": "reconnect",
  internal: "reconnect",
  "data-loss": "resume",
} as const satisfies Record<string, Directive>;

/**
 * The canonical kinds shared by every catalog: gRPC's canonical codes, refined with what realtime
 * APIs need. A vendor's `TOO_MANY_REQUESTS`, `3001` and `rate_limited` all map onto one kind, so
 * `ofType("rate-limited")` works whatever the vendor calls it.
 *
 * @example
 * ```ts
 * import { KINDS } from "@ws-errors/core";
 * KINDS["rate-limited"].directive; // "retry-later"
 * ```
 */
export const KINDS = {
  cancelled: { grpc: "CANCELLED", directive: "stop", allowed: STOP, summary: "The operation was cancelled by the caller." },
  unknown: {
    grpc: "UNKNOWN",
    directive: "stop",
    allowed: ["stop", "retry-later", "reconnect", "resume", "refresh-credentials", "free-connection", "reauthenticate", "resubscribe"],
    summary: "An error the catalog does not describe.",
  },
  "invalid-argument": { grpc: "INVALID_ARGUMENT", directive: "stop", allowed: STOP, summary: "A field of the request is missing or invalid." },
  "invalid-message": {
    grpc: "INVALID_ARGUMENT",
    directive: "stop",
    allowed: STOP,
    summary: "The message could not be parsed (not JSON, fragmented, wrong shape).",
  },
  "unknown-command": { grpc: "UNIMPLEMENTED", directive: "stop", allowed: STOP, summary: "The command or method is not supported." },
  "out-of-range": { grpc: "OUT_OF_RANGE", directive: "stop", allowed: STOP, summary: "A value is outside the accepted range." },
  "not-found": { grpc: "NOT_FOUND", directive: "stop", allowed: STOP, summary: "The endpoint, symbol or subscription does not exist." },
  "already-exists": { grpc: "ALREADY_EXISTS", directive: "stop", allowed: STOP, summary: "The subscription or resource already exists." },
  "permission-denied": {
    grpc: "PERMISSION_DENIED",
    directive: "stop",
    allowed: ["stop", "refresh-credentials", "reauthenticate"],
    summary: "The caller is known but not allowed to do this.",
  },
  unauthenticated: {
    grpc: "UNAUTHENTICATED",
    directive: "refresh-credentials",
    allowed: ["refresh-credentials", "reauthenticate", "stop"],
    summary: "Credentials are missing, invalid, expired or revoked.",
  },
  "failed-precondition": { grpc: "FAILED_PRECONDITION", directive: "stop", allowed: STOP, summary: "The system is not in a state where this can be done." },
  "rate-limited": {
    grpc: "RESOURCE_EXHAUSTED",
    directive: "retry-later",
    allowed: ["retry-later", "reconnect"],
    summary: "Too many requests or connection attempts in a time window.",
  },
  "quota-exhausted": { grpc: "RESOURCE_EXHAUSTED", directive: "stop", allowed: ["stop", "retry-later"], summary: "A plan quota is used up until it resets." },
  "connection-limit": {
    grpc: "RESOURCE_EXHAUSTED",
    directive: "free-connection",
    allowed: ["free-connection", "reconnect", "retry-later", "stop"],
    summary: "The key already holds as many connections as it may.",
  },
  "subscription-limit": { grpc: "RESOURCE_EXHAUSTED", directive: "stop", allowed: STOP, summary: "The connection holds as many subscriptions as it may." },
  "channel-unavailable": {
    grpc: "UNAVAILABLE",
    directive: "retry-later",
    allowed: ["retry-later", "stop", "reconnect", "resubscribe"],
    summary: "A channel is disabled or temporarily unavailable.",
  },
  "heartbeat-timeout": {
    grpc: "UNAVAILABLE",
    directive: "resume",
    allowed: ["resume", "reconnect"],
    summary: "No heartbeat was seen in time; the connection was closed.",
  },
  "slow-consumer": {
    grpc: "RESOURCE_EXHAUSTED",
    directive: "resume",
    allowed: ["resume", "reconnect"],
    summary: "The client read too slowly and was evicted.",
  },
  "client-disconnect": {
    grpc: "CANCELLED",
    directive: "resume",
    allowed: ["resume", "reconnect"],
    summary: "The connection dropped on the client's side or in between.",
  },
  "upstream-timeout": { grpc: "DEADLINE_EXCEEDED", directive: "reconnect", allowed: RECONNECTING, summary: "An upstream or origin did not answer in time." },
  "deadline-exceeded": { grpc: "DEADLINE_EXCEEDED", directive: "retry-later", allowed: RECONNECTING, summary: "The operation did not finish in time." },
  aborted: { grpc: "ABORTED", directive: "retry-later", allowed: RECONNECTING, summary: "The operation was aborted by a conflict." },
  unimplemented: { grpc: "UNIMPLEMENTED", directive: "stop", allowed: STOP, summary: "The feature is not implemented by this server." },
  "service-unavailable": {
    grpc: "UNAVAILABLE",
    directive: "reconnect",
    allowed: RECONNECTING,
    summary: "The service is temporarily unavailable or at capacity.",
  },
  internal: { grpc: "INTERNAL", directive: "reconnect", allowed: RECONNECTING, summary: "An unexpected server-side fault." },
  "data-loss": {
    grpc: "DATA_LOSS",
    directive: "resume",
    allowed: ["resume", "reconnect", "resubscribe", "stop"],
    summary: "Messages were lost; resume to recover them.",
  },
} as const satisfies { readonly [K in keyof typeof KIND_DIRECTIVES]: KindInfo & { readonly directive: (typeof KIND_DIRECTIVES)[K] } };

/** The name of a canonical kind, e.g. `"rate-limited"`. */
export type KindName = keyof typeof KINDS;

/** Every kind name, in taxonomy order. */
export const KIND_NAMES = /* @__PURE__ */ Object.keys(KINDS) as KindName[];

/**
 * Whether a string names a canonical kind.
 *
 * @example
 * ```ts
 * isKindName("rate-limited"); // true
 * ```
 */
export function isKindName(value: unknown): value is KindName {
  // KIND_DIRECTIVES names every kind too, without KINDS' sentences: bundles that check a name stay small.
  return typeof value === "string" && Object.hasOwn(KIND_DIRECTIVES, value);
}
