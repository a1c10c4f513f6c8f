import { KINDS, utf8ByteLength, type DetailType, type Directive, type KindName, type Layer, type Scope, type WireCode } from "@ws-errors/core";
import type { Problem, Segment } from "./problems";

/** A catalog as read from its file, after the JSON Schema accepted it. */
export interface RawCatalog {
  name: string;
  title: string;
  description?: string;
  version: string;
  dialect: {
    notes?: string;
    sequence?: string;
    requests?: { command: string; requestId?: string };
    frames: RawFrameForm[];
    success?: { match: RawCondition[]; codes: { code: WireCode; summary: string }[] };
    upgrade: { header?: string; code?: string; message?: string; details?: string; constant?: Record<string, unknown> };
    fallbacks?: { layer: Layer; codes?: WireCode[]; from?: number; to?: number; kind: KindName; retry: RawRetry; summary: string }[];
  };
  errors: RawEntry[];
}

export interface RawCondition {
  path: string;
  equals?: unknown;
  notEquals?: unknown;
  exists?: boolean;
}

export interface RawFrameForm {
  name: string;
  scope: Scope;
  match: RawCondition[];
  code: string;
  message?: string;
  field?: string;
  requestId?: string;
  command?: string;
  details?: string;
  errors?: string;
  constant?: Record<string, unknown>;
  stamps?: Record<string, "iso-timestamp" | "unix-ms" | "message-id">;
}

export interface RawRetry {
  directive: Directive;
  delay?: { header?: string; field?: string; unit?: "seconds" | "milliseconds" | "epoch-seconds" | "epoch-milliseconds"; ms?: number };
}

export interface RawEntry {
  id: string;
  className?: string;
  code: WireCode;
  kind: KindName;
  scope: Scope;
  summary: string;
  message?: string;
  description?: string;
  guidance?: string;
  retry: RawRetry;
  details?: Record<string, { type: DetailType; summary?: string }>;
  frame?: boolean | { code?: WireCode };
  upgrade?: { status: number; header?: string };
  close?: { code: number; reason?: string; matchReason?: boolean };
  browserFallback?: { code: number; reason?: string };
  deprecated?: string;
}

type Report = (segments: readonly Segment[], message: string) => Problem;

/** Close codes an endpoint may send (RFC 6455 §7.4 and the IANA registry). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** The default class name of an entry id: `too-many-requests` → `TooManyRequestsError`. */
export function defaultClassName(id: string): string {
  return `${id.split("-").map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("")}Error`;
}

const NUMERIC: readonly DetailType[] = ["integer", "number"];

/**
 * The checks a JSON Schema cannot express: uniqueness across entries, sendable close codes,
 * close reasons within 123 bytes, directives that contradict their kind, delays that point at
 * nothing. Every problem is returned, each at its location.
 */
export function lintCatalog(catalog: RawCatalog, report: Report): Problem[] {
  const problems: Problem[] = [];
  const push = (segments: readonly Segment[], message: string) => problems.push(report(segments, message));
  const firstSeen = new Map<string, number>();
  const unique = (space: string, value: unknown, segments: readonly Segment[], what: string) => {
    const key = `${space}\u0000${typeof value}:${String(value)}`;
    const seen = firstSeen.get(key);
    if (seen === undefined) firstSeen.set(key, segments[1] as number);
    else push(segments, `${what} ${JSON.stringify(value)} is already used by errors[${seen}]`);
  };

  const { dialect } = catalog;
  const paths: [Segment[], string | undefined][] = [
    [["dialect", "sequence"], dialect.sequence],
    [["dialect", "requests", "command"], dialect.requests?.command],
    [["dialect", "requests", "requestId"], dialect.requests?.requestId],
    ...(["code", "message", "details"] as const).map((k): [Segment[], string | undefined] => [["dialect", "upgrade", k], dialect.upgrade[k]]),
    ...dialect.frames.flatMap((form, i) => [
      ...(["code", "message", "field", "requestId", "command", "details", "errors"] as const).map((k): [Segment[], string | undefined] => [["dialect", "frames", i, k], form[k]]),
      ...form.match.map((c, j): [Segment[], string | undefined] => [["dialect", "frames", i, "match", j, "path"], c.path]),
    ]),
  ];
  for (const [segments, path] of paths) {
    if (path !== undefined && path.split(".").some((s) => s === "__proto__" || s === "constructor" || s === "prototype")) {
      push(segments, `path "${path}" names a prototype key (__proto__, constructor, prototype), which wire data must never reach`);
    }
  }
  const formScopes = new Set(dialect.frames.map((f) => f.scope));
  for (const [i, form] of dialect.frames.entries()) {
    if (form.errors !== undefined && form.code.split(".").length > 1) {
      const parent = form.code.split(".").slice(0, -1).join(".");
      for (const name of ["message", "field"] as const) {
        const path = form[name];
        if (path !== undefined && path.split(".").slice(0, -1).join(".") !== parent) {
          push(["dialect", "frames", i, name], `must sit beside code (${form.code}) so that items of "${form.errors}" use the same keys`);
        }
      }
    }
  }
  for (const [i, fallback] of (dialect.fallbacks ?? []).entries()) {
    checkRetry(fallback.kind, fallback.retry, ["dialect", "fallbacks", i, "retry"], {}, push, dialect.sequence);
  }

  for (const [i, entry] of catalog.errors.entries()) {
    const at = (...rest: Segment[]): Segment[] => ["errors", i, ...rest];
    unique("id", entry.id, at("id"), "id");
    if (entry.id === "uncatalogued") push(at("id"), `id "uncatalogued" is reserved for codes the catalog does not list`);
    unique("class", entry.className ?? defaultClassName(entry.id), at(entry.className ? "className" : "id"), "class name");
    const details = entry.details ?? {};
    const hasFrame = entry.frame !== undefined && entry.frame !== false;
    if (!hasFrame && !entry.upgrade && !entry.close) push(at(), "has no layer: give it at least one of frame, upgrade or close");
    if (hasFrame) {
      const code = typeof entry.frame === "object" && entry.frame.code !== undefined ? entry.frame.code : entry.code;
      unique("frame", code, at("frame"), "frame code");
      if (dialect.frames.length === 0) push(at("frame"), "the dialect has no frame forms to encode it with");
      if (entry.scope !== "connection" && !formScopes.has("command") && !formScopes.has("both")) {
        push(at("scope"), "is command-scoped but no frame form of the dialect has scope command or both");
      }
      if (entry.scope !== "command" && !formScopes.has("connection") && !formScopes.has("both")) {
        push(at("scope"), "is connection-scoped but no frame form of the dialect has scope connection or both");
      }
    }
    if (entry.upgrade) {
      unique("upgrade-code", entry.code, at("code"), "upgrade body code");
      if (dialect.upgrade.code === undefined && !dialect.upgrade.header) unique("upgrade-status", entry.upgrade.status, at("upgrade", "status"), "upgrade status (the dialect's upgrade body has no code to tell them apart)");
      if (entry.upgrade.header !== undefined && /[\u0000-\u001f\u007f-\uffff]/.test(entry.upgrade.header)) {
        push(at("upgrade", "header"), "header text must be printable ASCII (no CR, LF or other control characters)");
      }
      if (entry.upgrade.header !== undefined && !dialect.upgrade.header) push(at("upgrade", "header"), "the dialect's upgrade form names no header to carry this text");
    }
    if (entry.close) {
      const { code, reason = "", matchReason = false } = entry.close;
      if (!isSendableCloseCode(code)) push(at("close", "code"), `close code ${code} cannot be sent (valid: 1000-1003, 1007-1014, 3000-4999)`);
      checkReason(reason, at("close", "reason"), push);
      unique("close-pair", `${code}\n${reason}`, at("close"), "close code and reason");
      if (!matchReason) unique("close-code", code, at("close", "code"), "close code (set matchReason to tell entries apart by reason)");
      if (code === 1000 && !matchReason) push(at("close", "matchReason"), "close 1000 is a normal closure: set matchReason so only its exact reason means this error");
    }
    if (entry.browserFallback) {
      const { code, reason = entry.summary } = entry.browserFallback;
      if (code < 4000 || code > 4999) push(at("browserFallback", "code"), `browser fallback close code ${code} must be in 4000-4999`);
      if (!entry.upgrade) push(at("browserFallback"), "a browser fallback stands in for an upgrade rejection: add an upgrade layer");
      checkReason(reason, at("browserFallback", "reason"), push);
      // Reusing the entry's own close code is fine: both mean this entry.
      if (code !== entry.close?.code) unique("close-code", code, at("browserFallback", "code"), "close code");
    }
    checkRetry(entry.kind, entry.retry, at("retry"), details, push, dialect.sequence);
  }
  return problems;
}

function checkReason(reason: string, segments: Segment[], push: (s: readonly Segment[], m: string) => void): void {
  const bytes = utf8ByteLength(reason);
  if (bytes > 123) push(segments, `close reason is ${bytes} bytes of UTF-8; at most 123 fit in a close frame`);
}

function checkRetry(
  kind: KindName,
  retry: RawRetry,
  segments: Segment[],
  details: Record<string, { type: DetailType }>,
  push: (s: readonly Segment[], m: string) => void,
  sequence: string | undefined,
): void {
  const allowed = KINDS[kind].allowed as readonly Directive[];
  if (!allowed.includes(retry.directive)) {
    push([...segments, "directive"], `directive "${retry.directive}" contradicts kind "${kind}" (allowed: ${allowed.join(", ")})`);
  }
  if (retry.directive === "resume" && sequence === undefined) {
    push([...segments, "directive"], `directive "resume" needs dialect.sequence: where the sequence id lives`);
  }
  const delay = retry.delay;
  if (!delay) return;
  const given = (["header", "field", "ms"] as const).filter((key) => delay[key] !== undefined);
  if (given.length !== 1) push([...segments, "delay"], `give exactly one of header, field or ms (got ${given.length === 0 ? "none" : given.join(", ")})`);
  if (delay.field !== undefined) {
    if (delay.unit === undefined) push([...segments, "delay"], `a delay from a field needs a unit (seconds, milliseconds, epoch-seconds, epoch-milliseconds)`);
    const detail = details[delay.field];
    if (!detail) push([...segments, "delay", "field"], `names "${delay.field}", which is not a detail field of this entry`);
    else if (!NUMERIC.includes(detail.type)) push([...segments, "delay", "field"], `detail "${delay.field}" is ${detail.type}; a delay needs integer or number`);
  } else if (delay.unit !== undefined) {
    push([...segments, "delay", "unit"], "a unit only applies to a delay read from a field");
  }
  if (retry.directive === "stop" && given.length > 0) push([...segments, "delay"], `directive "stop" never waits: remove the delay`);
}
