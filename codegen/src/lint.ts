import {
  compileTemplate,
  isIndex,
  KIND_CLASSES,
  numericCode,
  parseTemplate,
  utf8ByteLength,
  type DetailType,
  type Directive,
  type KindName,
  type Layer,
  type Scope,
  type WireCode,
} from "@ws-errors/core";
import { closest, distance } from "fastest-levenshtein";
import type { Problem, Segment } from "./problems";

/** A catalog as read from its file, after the JSON Schema accepted it. */
export interface RawCatalog {
  name: string;
  title: string;
  description?: string;
  version: string;
  dialect: {
    notes?: string;
    answers?: { malformed?: string; unknownCommand?: string; internal?: string };
    grammar?: "json" | "headers";
    sequence?: string;
    requests?: { command: string; requestId?: string; replyId?: string; traceContext?: string; errorReplies?: "correlated" | "uncorrelated" };
    frames: RawFrameForm[];
    success?: { match: RawCondition[]; codes: { code: WireCode; summary: string }[] };
    upgrade?: { header?: string; code?: string; message?: string; details?: string; constant?: Record<string, unknown> };
    fallbacks?: { layer: Layer | Layer[]; path?: string; codes?: WireCode[]; from?: number; to?: number; kind: KindName; retry: RawRetry; summary: string }[];
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
  code?: string;
  label?: string;
  items?: { code?: string; label?: string; message?: string; field?: string };
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
  delay?: {
    header?: string;
    field?: string;
    unit?: "seconds" | "milliseconds" | "epoch-seconds" | "epoch-milliseconds";
    ms?: number;
    window?: { fromMs: number; toMs: number };
    replacesBackoff?: boolean;
  };
  because?: string;
  url?: { field: string };
}

export interface RawFrame {
  code?: WireCode;
  label?: string;
  template?: string;
  when?: RawCondition[];
  form?: string;
  constant?: Record<string, unknown>;
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
  aliases?: WireCode[];
  frame?: boolean | RawFrame;
  upgrade?: { status: number; header?: string };
  close?: { code?: number; afterFrame?: true; reason?: string; matchReason?: boolean; anyCode?: boolean; optional?: boolean; retry?: RawRetry };
  browserFallback?: { code: number; reason?: string };
  deprecated?: string;
}

type Report = (segments: readonly Segment[], message: string) => Problem;

/** Close codes an endpoint may send (RFC 6455 §7.4 and the IANA registry). */
export function isSendableCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/**
 * The default class name of an entry id: `too-many-requests` → `TooManyRequestsError`, and
 * `parse-error` → `ParseError` (not `ParseErrorError`).
 */
export function defaultClassName(id: string): string {
  const pascal = id
    .split("-")
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
  return /[a-z0-9]Error$/.test(pascal) ? pascal : `${pascal}Error`;
}

/** Class names the runtime exports: a generated class of the same name would shadow one of them in user code. */
export const RESERVED_CLASSES: ReadonlyMap<string, string> = new Map<string, string>([
  ...Object.entries(KIND_CLASSES).map(([kind, ctor]): [string, string] => [ctor.name, `core's base class of kind "${kind}"`]),
  ["WsError", "core's base class of every error"],
  ["UncataloguedError", "core's class for codes a catalog does not list"],
  ["UnknownWsError", "core's former name of UncataloguedError"],
  ["RequestError", "core's class for requests that failed without a catalog error"],
]);

/** A code's identity for uniqueness: a number and its decimal text are one code. */
function codeKey(code: unknown): string {
  const number = typeof code === "string" || typeof code === "number" ? numericCode(code) : undefined;
  return number !== undefined ? `n:${number}` : `${typeof code}:${String(code)}`;
}

const NUMERIC: readonly DetailType[] = ["integer", "number"];

/**
 * The checks a JSON Schema cannot express: uniqueness across entries (a number and its decimal
 * text are one code), entries that share a code but cannot be told apart, templates, sendable close
 * codes, close reasons within 123 bytes, class names that would shadow the runtime's, delays that
 * point at nothing. Every problem is returned, each at its location.
 */
export function lintCatalog(catalog: RawCatalog, report: Report): Problem[] {
  const problems: Problem[] = [];
  const push = (segments: readonly Segment[], message: string) => problems.push(report(segments, message));
  const firstSeen = new Map<string, number>();
  const unique = (space: string, value: unknown, segments: readonly Segment[], what: string) => {
    const key = `${space}\u0000${space.includes("code") ? codeKey(value) : `${typeof value}:${String(value)}`}`;
    const seen = firstSeen.get(key);
    if (seen === undefined) firstSeen.set(key, segments[1] as number);
    else if (seen !== segments[1]) push(segments, `${what} ${JSON.stringify(value)} is already used by errors[${seen}]`);
  };

  const { dialect } = catalog;
  const paths: [Segment[], string | undefined][] = [
    [["dialect", "sequence"], dialect.sequence],
    [["dialect", "requests", "command"], dialect.requests?.command],
    [["dialect", "requests", "requestId"], dialect.requests?.requestId],
    [["dialect", "requests", "replyId"], dialect.requests?.replyId],
    [["dialect", "requests", "traceContext"], dialect.requests?.traceContext],
    ...(["code", "message", "details"] as const).map((k): [Segment[], string | undefined] => [["dialect", "upgrade", k], dialect.upgrade?.[k]]),
    ...dialect.frames.flatMap((form, i) => [
      ...(["code", "label", "message", "field", "requestId", "command", "details", "errors"] as const).map((k): [Segment[], string | undefined] => [
        ["dialect", "frames", i, k],
        form[k],
      ]),
      ...(["code", "label", "message", "field"] as const).map((k): [Segment[], string | undefined] => [["dialect", "frames", i, "items", k], form.items?.[k]]),
      ...form.match.map((c, j): [Segment[], string | undefined] => [["dialect", "frames", i, "match", j, "path"], c.path]),
    ]),
    ...(dialect.fallbacks ?? []).map((f, i): [Segment[], string | undefined] => [["dialect", "fallbacks", i, "path"], f.path]),
    ...catalog.errors.flatMap((entry, i) => {
      const frame = typeof entry.frame === "object" ? entry.frame : undefined;
      return [
        ...(frame?.when ?? []).map((c, j): [Segment[], string | undefined] => [["errors", i, "frame", "when", j, "path"], c.path]),
        ...Object.keys(frame?.constant ?? {}).map((path): [Segment[], string | undefined] => [["errors", i, "frame", "constant"], path]),
      ];
    }),
  ];
  for (const [segments, path] of paths) {
    if (path?.split(".").some((s) => s === "__proto__" || s === "constructor" || s === "prototype")) {
      push(segments, `path "${path}" names a prototype key (__proto__, constructor, prototype), which wire data must never reach`);
    }
  }
  if (dialect.frames.length === 0) {
    push(["dialect", "frames"], "has no error-frame form: give at least one, since servers answer malformed messages and failed commands with error frames");
  }
  const formScopes = new Set(dialect.frames.map((f) => f.scope));
  const formNames = new Set<string>();
  const uncorrelated = dialect.requests?.errorReplies === "uncorrelated";
  for (const [i, form] of dialect.frames.entries()) {
    if (formNames.has(form.name)) push(["dialect", "frames", i, "name"], `frame form name "${form.name}" is already used`);
    formNames.add(form.name);
    // A frame is a JSON array ([join_ref, ref, topic, event, payload], read and written through
    // index paths: "3", "4.status") or an object, never both: a form whose paths start with an
    // index and a key would be written as one and never match as the other.
    const paths: [Segment[], string | undefined][] = [
      ...(["code", "label", "message", "field", "requestId", "command", "details", "errors"] as const).map((k): [Segment[], string | undefined] => [
        ["dialect", "frames", i, k],
        form[k],
      ]),
      ...(form.match ?? []).map((c, j): [Segment[], string | undefined] => [["dialect", "frames", i, "match", j, "path"], c.path]),
      ...Object.keys(form.constant ?? {}).map((k): [Segment[], string | undefined] => [["dialect", "frames", i, "constant", k], k]),
      ...Object.keys(form.stamps ?? {}).map((k): [Segment[], string | undefined] => [["dialect", "frames", i, "stamps", k], k]),
    ];
    const tops = paths.filter(([, path]) => path !== undefined && path !== "");
    const indexed = tops.filter(([, path]) => isIndex((path as string).split(".")[0]));
    const keyed = tops.filter(([, path]) => !isIndex((path as string).split(".")[0]));
    if (indexed.length > 0 && keyed.length > 0) {
      // Named where the fewer are: the odd one out is the likelier mistake.
      const [odd, other] = indexed.length <= keyed.length ? [indexed[0], keyed[0]] : [keyed[0], indexed[0]];
      push(
        odd?.[0] ?? [],
        `"${odd?.[1]}" and "${other?.[1]}" disagree on what a frame of this form is: a path starting with an index ("3") reads a JSON array, one starting with a key an object; give every path of the form the same kind of first segment`,
      );
    }
    if (form.errors !== undefined && form.items === undefined && form.code !== undefined && form.code.split(".").length > 1) {
      const parent = form.code.split(".").slice(0, -1).join(".");
      for (const name of ["message", "field"] as const) {
        const path = form[name];
        if (path !== undefined && path.split(".").slice(0, -1).join(".") !== parent) {
          push(
            ["dialect", "frames", i, name],
            `must sit beside code (${form.code}) so that items of "${form.errors}" use the same keys, or say where items keep their fields with items`,
          );
        }
      }
    }
    // What a form matches on must be what encoding writes, or a server's frames would not be recognized by its own clients.
    const written = [...Object.keys(form.constant ?? {}), form.code, form.label, form.message, form.errors, form.details, form.requestId, form.command].filter(
      (p): p is string => p !== undefined,
    );
    for (const [j, condition] of form.match.entries()) {
      const constant = form.constant && Object.hasOwn(form.constant, condition.path) ? form.constant[condition.path] : undefined;
      if (condition.equals !== undefined && JSON.stringify(constant) !== JSON.stringify(condition.equals)) {
        push(
          ["dialect", "frames", i, "match", j],
          `frames match ${condition.path} = ${JSON.stringify(condition.equals)}, but encoding never writes it, so clients would not recognize the frames servers send: add constant: { ${condition.path}: ${JSON.stringify(condition.equals)} }`,
        );
      }
      if (condition.exists === true && !written.some((p) => p === condition.path || p.startsWith(`${condition.path}.`) || condition.path === "")) {
        push(["dialect", "frames", i, "match", j], `frames must have ${condition.path}, but encoding never writes it: point code, message or a constant at it`);
      }
    }
    if (form.items !== undefined && form.errors === undefined)
      push(["dialect", "frames", i, "items"], "items describes the items of an errors list: give errors, the path of that list");
    if (uncorrelated && form.requestId !== undefined) {
      push(
        ["dialect", "frames", i, "requestId"],
        "the dialect's error replies are uncorrelated (requests.errorReplies), so its error frames carry no request id: remove this path",
      );
    }
  }
  const hasCode = dialect.frames.some((f) => f.code !== undefined);
  const hasLabel = dialect.frames.some((f) => f.label !== undefined);
  const hasMessage = dialect.frames.some((f) => f.message !== undefined);
  for (const [i, fallback] of (dialect.fallbacks ?? []).entries()) {
    checkRetry(fallback.retry, ["dialect", "fallbacks", i, "retry"], {}, push, dialect.sequence);
    if (fallback.from !== undefined && fallback.to !== undefined && fallback.from > fallback.to)
      push(["dialect", "fallbacks", i, "from"], `the range is empty: from (${fallback.from}) is above to (${fallback.to})`);
    if (fallback.path !== undefined) {
      const layers = Array.isArray(fallback.layer) ? fallback.layer : [fallback.layer];
      if (layers.some((layer) => layer !== "frame"))
        push(
          ["dialect", "fallbacks", i, "path"],
          `a fallback keyed by a frame path applies to frames only, not to ${layers.filter((l) => l !== "frame").join(" or ")}: split it into two rules`,
        );
      if (fallback.codes === undefined && fallback.from === undefined && fallback.to === undefined)
        push(["dialect", "fallbacks", i, "path"], `a fallback keyed by "${fallback.path}" needs the values it covers: give codes or a from/to range`);
    }
  }

  /* Entries by frame code (aliases included) and by label, to explain codes shared without a way to tell the entries apart. */
  const byCode = new Map<string, number[]>();
  const byLabel = new Map<string, number[]>();
  const reserved = `${catalog.name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}Error`;

  for (const [i, entry] of catalog.errors.entries()) {
    // Run beside the schema on a catalog it refused, an entry of the wrong shape stops only its own
    // checks (the schema says what is wrong with it); nothing in a valid catalog throws.
    try {
      const at = (...rest: Segment[]): Segment[] => ["errors", i, ...rest];
      unique("id", entry.id, at("id"), "id");
      if (entry.id === "uncatalogued") push(at("id"), `id "uncatalogued" is reserved for codes the catalog does not list`);
      const className = entry.className ?? defaultClassName(entry.id);
      unique("class", className, at(entry.className ? "className" : "id"), "class name");
      // A default name that collides is flagged; an explicit className is the author's choice.
      const shadowed =
        entry.className !== undefined
          ? undefined
          : (RESERVED_CLASSES.get(className) ?? (className === reserved ? `the union of every error of this catalog` : undefined));
      if (shadowed)
        push(
          at(entry.className ? "className" : "id"),
          `class name ${className} is ${shadowed}; a generated class of the same name would shadow it in code that imports both: set className (e.g. "${reserved.replace(/Error$/, "")}${className}")`,
        );
      const details = entry.details ?? {};
      const frame = typeof entry.frame === "object" ? entry.frame : undefined;
      const hasFrame = entry.frame !== undefined && entry.frame !== false;
      if (!hasFrame && !entry.upgrade && !entry.close) push(at(), "has no layer: give it at least one of frame, upgrade or close");
      for (const [j, alias] of (entry.aliases ?? []).entries()) {
        if (codeKey(alias) === codeKey(frame?.code ?? entry.code)) push(at("aliases", j), `alias ${JSON.stringify(alias)} is the entry's own code`);
      }
      if (hasFrame) {
        const code = frame?.code !== undefined ? frame.code : entry.code;
        for (const c of [code, ...(entry.aliases ?? [])]) {
          const list = byCode.get(codeKey(c)) ?? [];
          if (!list.includes(i)) list.push(i);
          byCode.set(codeKey(c), list);
        }
        if (frame?.label !== undefined) byLabel.set(frame.label, [...(byLabel.get(frame.label) ?? []), i]);
        if (frame?.label !== undefined && !hasLabel) push(at("frame", "label"), "no frame form of the dialect has a label path to carry it");
        if (!hasCode && !(hasLabel && frame?.label !== undefined) && frame?.template === undefined) {
          push(
            at("frame"),
            "nothing identifies this error on the wire: the dialect's frames carry no code, so give frame.template (the message as the API words it) or frame.label",
          );
        }
        if (frame?.form !== undefined) {
          const form = dialect.frames.find((f) => f.name === frame.form);
          if (!form)
            push(
              at("frame", "form"),
              `names frame form "${frame.form}", which the dialect does not have (${dialect.frames.map((f) => f.name).join(", ") || "none"})`,
            );
        } else {
          if (entry.scope !== "connection" && !formScopes.has("command") && !formScopes.has("both")) {
            push(at("scope"), "is command-scoped but no frame form of the dialect has scope command or both");
          }
          if (entry.scope !== "command" && !formScopes.has("connection") && !formScopes.has("both")) {
            push(at("scope"), "is connection-scoped but no frame form of the dialect has scope connection or both");
          }
        }
        if (frame?.template !== undefined) {
          checkTemplate(frame.template, details, at("frame", "template"), push);
          if (!hasMessage) push(at("frame", "template"), "no frame form of the dialect has a message path to match the template against");
        }
      }
      if (entry.upgrade) {
        unique("upgrade-code", entry.code, at("code"), "upgrade body code");
        for (const [j, alias] of (entry.aliases ?? []).entries()) unique("upgrade-code", alias, at("aliases", j), "upgrade body code");
        if (dialect.upgrade?.code === undefined && !dialect.upgrade?.header)
          unique("upgrade-status", entry.upgrade.status, at("upgrade", "status"), "upgrade status (the dialect's upgrade body has no code to tell them apart)");
        // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
        if (entry.upgrade.header !== undefined && /[\u0000-\u001f\u007f-\uffff]/.test(entry.upgrade.header)) {
          push(at("upgrade", "header"), "header text must be printable ASCII (no CR, LF or other control characters)");
        }
        if (entry.upgrade.header !== undefined && !dialect.upgrade?.header)
          push(at("upgrade", "header"), "the dialect's upgrade form names no header to carry this text");
      }
      if (entry.close) {
        const { code = 1008, afterFrame = false, reason = "", matchReason = false, anyCode = false, optional = false } = entry.close;
        if (!isSendableCloseCode(code)) push(at("close", "code"), `close code ${code} cannot be sent (valid: 1000-1003, 1007-1014, 3000-4999)`);
        checkReason(reason, at("close", "reason"), push);
        if (afterFrame) {
          // Its code is only what servers send (never matched, so never shared): the frame before it says which entry it is.
          if (!hasFrame) push(at("close", "afterFrame"), "a close known only by the frame before it needs that frame: give the entry a frame layer");
          if (anyCode || matchReason)
            push(
              at("close", "afterFrame"),
              "afterFrame matches whatever close follows the frame; anyCode and matchReason match a close by its reason: keep one",
            );
        } else if (anyCode) {
          unique("close-pair", `${code}\n${reason}`, at("close"), "close code and reason");
          if (reason === "") push(at("close", "reason"), "anyCode tells this close apart by its reason alone: give the reason");
          unique("close-reason", reason, at("close", "reason"), "close reason (anyCode)");
        } else {
          unique("close-pair", `${code}\n${reason}`, at("close"), "close code and reason");
          if (!matchReason)
            unique("close-code", code, at("close", "code"), "close code (set matchReason to tell entries apart by reason, or anyCode when the code varies)");
        }
        if (code === 1000 && !matchReason && !anyCode && !afterFrame)
          push(at("close", "matchReason"), "close 1000 is a normal closure: set matchReason so only its exact reason means this error");
        if (/[{}]/.test(reason)) checkTemplate(reason, details, at("close", "reason"), push);
        if (optional && !hasFrame)
          push(at("close", "optional"), "an optional close follows the error's frame, or does not: give the entry a frame layer, or drop optional");
        if (entry.close.retry) checkRetry(entry.close.retry, at("close", "retry"), details, push, dialect.sequence);
      }
      if (entry.browserFallback) {
        const { code, reason = entry.summary } = entry.browserFallback;
        if (code < 4000 || code > 4999) push(at("browserFallback", "code"), `browser fallback close code ${code} must be in 4000-4999`);
        if (!entry.upgrade) push(at("browserFallback"), "a browser fallback stands in for an upgrade rejection: add an upgrade layer");
        checkReason(reason, at("browserFallback", "reason"), push);
        // Reusing the entry's own close code is fine: both mean this entry.
        if (code !== entry.close?.code) unique("close-code", code, at("browserFallback", "code"), "close code");
      }
      checkRetry(entry.retry, at("retry"), details, push, dialect.sequence);
    } catch {}
  }

  /* One code (or label), several errors: fine when each can be told apart, explained when not. */
  const explain = (what: string, groups: Map<string, number[]>) => {
    for (const [key, indexes] of groups) {
      if (indexes.length < 2) continue;
      const seen = new Map<string, number>();
      for (const i of indexes) {
        const entry = catalog.errors[i] as RawEntry;
        const frame = typeof entry.frame === "object" ? entry.frame : {};
        const signature = JSON.stringify([what === "label" ? null : (frame.label ?? null), frame.when ?? null, frame.template ?? null]);
        const other = seen.get(signature);
        if (other === undefined) {
          seen.set(signature, i);
          continue;
        }
        const value = key.replace(/^[a-z]+:/, "");
        const named = (n: number) => `errors[${n}] (${(catalog.errors[n] as RawEntry).id})`;
        push(
          ["errors", i, "frame"],
          `${named(other)} and ${named(i)} share frame ${what} ${value} and nothing on the wire tells them apart. A frame with that ${what} would always decode as the first. Give each but one of them something the other lacks: frame.when (a sub-code field: [{ path: subcode, equals: 2 }]), ${what === "label" ? "" : "frame.label, "}or frame.template (the message text)`,
        );
      }
    }
  };
  explain("code", byCode);
  explain("label", byLabel);
  checkAnswers(catalog, push);
  return problems;
}

/** `dialect.answers`: each role names an entry a server can send after the upgrade, as it is. */
function checkAnswers(catalog: RawCatalog, push: (s: readonly Segment[], m: string) => void): void {
  const ids = catalog.errors.map((e) => e.id);
  for (const [role, id] of Object.entries(catalog.dialect.answers ?? {})) {
    const at = ["dialect", "answers", role];
    const entry = catalog.errors.find((e) => e.id === id);
    if (!entry) {
      const guess = ids.length > 0 ? closest(id, ids) : undefined;
      push(at, `names no entry: "${id}" is not an id in errors${guess !== undefined && distance(id, guess) <= 3 ? `: did you mean "${guess}"?` : ""}`);
      continue;
    }
    const frame = typeof entry.frame === "object" ? entry.frame : entry.frame === true ? {} : undefined;
    if (!frame && !entry.close) push(at, `"${id}" has neither a frame nor a close, and a server answers ${role} after the upgrade: give it one`);
    const filled = (text: string | undefined) => text !== undefined && (compileTemplate(text)?.names.length ?? 0) > 0;
    if (filled(frame?.template) || (entry.close?.reason?.includes("{") && filled(entry.close.reason)))
      push(
        at,
        `"${id}" is written from its details (a template with placeholders), which a server's own ${role} error does not have: name an entry without placeholders`,
      );
  }
}

/** A message or reason template: well formed, and every placeholder a declared detail field (its type checks the capture). */
function checkTemplate(
  template: string,
  details: Record<string, { type: DetailType }>,
  segments: Segment[],
  push: (s: readonly Segment[], m: string) => void,
): void {
  const parsed = parseTemplate(template);
  if (typeof parsed === "string") return push(segments, `template ${JSON.stringify(template)}: ${parsed}`);
  for (const name of parsed.names) {
    const detail = details[name];
    if (!detail) push(segments, `placeholder {${name}} names no detail field: declare details.${name} (its type decides what the placeholder accepts)`);
    else if (!["string", "integer", "number", "boolean"].includes(detail.type))
      push(segments, `placeholder {${name}} is a detail of type ${detail.type}; text can only be captured as string, integer, number or boolean`);
  }
}

function checkReason(reason: string, segments: Segment[], push: (s: readonly Segment[], m: string) => void): void {
  const bytes = utf8ByteLength(reason);
  if (bytes > 123) push(segments, `close reason is ${bytes} bytes of UTF-8; at most 123 fit in a close frame`);
}

function checkRetry(
  retry: RawRetry,
  segments: Segment[],
  details: Record<string, { type: DetailType }>,
  push: (s: readonly Segment[], m: string) => void,
  sequence: string | undefined,
): void {
  // A directive the kind does not usually take is a warning (kindDirectiveWarnings), not a problem.
  if (retry.directive === "resume" && sequence === undefined) {
    push([...segments, "directive"], `directive "resume" needs dialect.sequence: where the sequence id lives`);
  }
  if (retry.url !== undefined) {
    const detail = details[retry.url.field];
    if (!detail) push([...segments, "url", "field"], `names "${retry.url.field}", which is not a detail field of this entry: declare it (type string)`);
    else if (detail.type !== "string") push([...segments, "url", "field"], `detail "${retry.url.field}" is ${detail.type}; a URL is a string`);
    if (!["reconnect", "resume", "refresh-credentials"].includes(retry.directive))
      push([...segments, "url"], `directive "${retry.directive}" does not reconnect, so a URL to reconnect to is never used: use reconnect or resume`);
  }
  const delay = retry.delay;
  if (!delay) return;
  const given = (["header", "field", "ms", "window"] as const).filter((key) => delay[key] !== undefined);
  if (given.length !== 1)
    push([...segments, "delay"], `give exactly one of header, field, ms or window (got ${given.length === 0 ? "none" : given.join(", ")})`);
  if (delay.window && delay.window.fromMs > delay.window.toMs) {
    push([...segments, "delay", "window"], `the window is empty: fromMs (${delay.window.fromMs}) is above toMs (${delay.window.toMs})`);
  }
  if (delay.field !== undefined) {
    if (delay.unit === undefined) push([...segments, "delay"], `a delay from a field needs a unit (seconds, milliseconds, epoch-seconds, epoch-milliseconds)`);
    const detail = details[delay.field];
    if (!detail) push([...segments, "delay", "field"], `names "${delay.field}", which is not a detail field of this entry`);
    else if (!NUMERIC.includes(detail.type))
      push([...segments, "delay", "field"], `detail "${delay.field}" is ${detail.type}; a delay needs integer or number`);
  } else if (delay.unit !== undefined) {
    push([...segments, "delay", "unit"], "a unit only applies to a delay read from a field");
  }
  if (retry.directive === "stop" && given.length > 0) push([...segments, "delay"], `directive "stop" never waits: remove the delay`);
}
