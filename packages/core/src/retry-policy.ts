import type { WsError } from "./errors";
import { KIND_DIRECTIVES, type KindName } from "./kinds";
import type { CatalogSpec, Fallback, Layer, RetrySpec, WireCode } from "./spec";
import { numericCode } from "./text";
import { getPath, parsePath, type Path } from "./path";

/** What an unknown code falls back to when the catalog's own fallbacks do not cover it. */
export interface FallbackPolicy {
  readonly kind: KindName;
  readonly retry: RetrySpec;
  readonly summary: string;
}

const policy = (kind: KindName, directive: RetrySpec["directive"], summary: string, retry?: RetrySpec): FallbackPolicy => ({
  kind,
  retry: retry ?? { directive },
  summary,
});

/* A policy as its parts, made into a FallbackPolicy when asked for: literals, not calls, so a
   bundler can drop the built package's tables from a bundle that never asks (one that imports
   only a catalog's error classes). */
type Row = readonly [kind: KindName, directive: RetrySpec["directive"], summary: string, retry?: RetrySpec];

/* Close codes as RFC 6455 and the IANA registry define them; 1000 and 1005 are not errors. 1001 is
   one to come back after: a server going away is an instance shutting down or restarting (ours
   closes with it in `close()`), and a client told nothing more should return, as reconnecting
   clients do, and resume where its stream has sequence ids (else it reconnects); a catalog whose
   API means "do not come back" says so with a close fallback. */
const CLOSE_DEFAULTS: Record<number, Row> = {
  1001: ["service-unavailable", "resume", "Going away"],
  1002: ["invalid-message", "stop", "Protocol error"],
  1003: ["invalid-message", "stop", "Unsupported data"],
  1006: ["client-disconnect", "reconnect", "Connection closed abnormally"],
  1007: ["invalid-message", "stop", "Invalid frame payload data"],
  1008: ["permission-denied", "stop", "Policy violation"],
  1009: ["invalid-message", "stop", "Message too big"],
  1010: ["failed-precondition", "stop", "Mandatory extension"],
  1011: ["internal", "reconnect", "Internal server error"],
  1012: ["service-unavailable", "reconnect", "Service restart"],
  1013: ["service-unavailable", "reconnect", "Try again later"],
  1014: ["upstream-timeout", "reconnect", "Bad gateway"],
  1015: ["failed-precondition", "stop", "TLS handshake failure"],
  3000: ["unauthenticated", "refresh-credentials", "Unauthorized"],
  3003: ["permission-denied", "stop", "Forbidden"],
  3008: ["deadline-exceeded", "reconnect", "Timeout"],
};

const STATUS_DEFAULTS: Record<number, Row> = {
  400: ["invalid-argument", "stop", "Bad Request"],
  401: ["unauthenticated", "refresh-credentials", "Unauthorized"],
  403: ["permission-denied", "stop", "Forbidden"],
  404: ["not-found", "stop", "Not Found"],
  408: ["deadline-exceeded", "reconnect", "Request Timeout"],
  409: ["aborted", "retry-later", "Conflict"],
  426: ["failed-precondition", "stop", "Upgrade Required"],
  429: ["rate-limited", "retry-later", "Too Many Requests", { directive: "retry-later", delay: { header: "Retry-After" } }],
  500: ["internal", "reconnect", "Internal Server Error"],
  502: ["upstream-timeout", "reconnect", "Bad Gateway"],
  503: ["service-unavailable", "reconnect", "Service Unavailable"],
  504: ["upstream-timeout", "reconnect", "Gateway Timeout"],
};

/** Close codes that end a connection cleanly rather than report an error: 1000 and 1005 (not 1001: clients come back after a server going away). */
export function isCleanClose(code: number): boolean {
  return code === 1000 || code === 1005;
}

/**
 * The kind and directive for a code the catalog does not list: the catalog's fallbacks for that
 * layer first, in the order written (a fallback with a `path` reads that field of `frame` instead
 * of the code), then the layer's standard meaning.
 */
export function fallbackFor(catalog: CatalogSpec, layer: Layer, received: WireCode | undefined, frame?: unknown): FallbackPolicy {
  for (const fallback of catalog.dialect.fallbacks) {
    const { path } = fallback;
    // A fallback keyed by another field of the frame reads that field as it would the code.
    const key = path === undefined ? received : getPath(frame, parsePath(path) as Path);
    if (fallback.layer !== layer || (path !== undefined && typeof key !== "string" && typeof key !== "number")) continue;
    // A numeric code sent as text ("9007", "-32050") is the number for ranges, lists and defaults.
    const code = key === undefined ? undefined : (numericCode(key as WireCode) ?? (key as WireCode));
    if (covers(fallback, code) || (code !== key && covers(fallback, key as WireCode))) return fallback;
  }
  const code = received === undefined ? undefined : (numericCode(received) ?? received);
  if (typeof code === "number") {
    if (layer === "close") {
      const known = CLOSE_DEFAULTS[code];
      if (known) return policy(...known);
      if (code >= 3000 && code <= 4999) return policy("unknown", "reconnect", "Application close code");
    }
    if (layer === "upgrade") {
      const known = STATUS_DEFAULTS[code];
      if (known) return policy(...known);
      if (code >= 500) return policy("service-unavailable", "reconnect", "Server error");
    }
  }
  return policy("unknown", "stop", "Unknown error");
}

function covers(fallback: Fallback, code: WireCode | undefined): boolean {
  if (code === undefined) return fallback.codes === undefined && fallback.from === undefined;
  if (fallback.codes?.includes(code) || (typeof code === "number" && fallback.codes?.includes(String(code)))) return true;
  if (typeof code === "number" && (fallback.from !== undefined || fallback.to !== undefined)) {
    return code >= (fallback.from ?? -Infinity) && code <= (fallback.to ?? Infinity);
  }
  return fallback.codes === undefined && fallback.from === undefined && fallback.to === undefined;
}

/**
 * The delay an error asks for before retrying, in milliseconds, from where its catalog entry says
 * it lives: a `Retry-After` header (seconds or an HTTP date), a detail field (seconds,
 * milliseconds, or an epoch time such as `reset_at`), a fixed value, or one drawn from a window.
 * `undefined` when the error carries none.
 *
 * @example
 * ```ts
 * const ms = retryDelayMs(error) ?? 1000;
 * ```
 */
export function retryDelayMs(error: WsError, now: number = Date.now(), random: () => number = Math.random): number | undefined {
  const delay = error.retry.delay;
  if (!delay) return undefined;
  if ("ms" in delay) return delay.ms;
  // Drawn per error, so clients told the same window spread out instead of returning together.
  if ("window" in delay) return Math.round(delay.window.fromMs + random() * (delay.window.toMs - delay.window.fromMs));
  if ("header" in delay) {
    const headers = error.wire?.headers;
    if (!headers) return undefined;
    const value = headers[delay.header.toLowerCase()] ?? headers[delay.header];
    if (value === undefined) return undefined;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(value);
    return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
  }
  const value = (error.details as Record<string, unknown>)[delay.field];
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  switch (delay.unit) {
    case "seconds":
      return Math.max(0, value * 1000);
    case "milliseconds":
      return Math.max(0, value);
    case "epoch-seconds":
      return Math.max(0, value * 1000 - now);
    case "epoch-milliseconds":
      return Math.max(0, value - now);
  }
}

export interface BackoffOptions {
  /** First delay, in ms. Default 500. */
  readonly initialMs?: number;
  /** Cap, in ms. Default 30 000. */
  readonly maxMs?: number;
  /** Growth factor per attempt. Default 2. */
  readonly factor?: number;
}

/**
 * Capped exponential backoff with full jitter: a uniform delay in `[0, min(max, initial·factor^n)]`,
 * so that many clients dropped at once do not reconnect in lockstep.
 *
 * @example
 * ```ts
 * setTimeout(reconnect, backoffDelayMs(attempt, { initialMs: 250, maxMs: 10_000 }));
 * ```
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const ceiling = Math.min(max, initial * factor ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** The default directive of a kind. */
export function defaultDirective(kind: KindName): RetrySpec["directive"] {
  return KIND_DIRECTIVES[kind];
}
