import type { CatalogSpec, Condition, DelaySource, EntrySpec, FrameSpec, Json, RetrySpec } from "@ws-errors/core";
import { defaultClassName, type RawCatalog, type RawCondition, type RawEntry, type RawRetry } from "./lint";

/**
 * Turns a validated catalog into the normalized spec: defaults filled in (class names, frame
 * codes, empty reasons), absent optional keys left out, order kept as written so output is stable.
 */
export function normalize(raw: RawCatalog): CatalogSpec {
  const { dialect } = raw;
  return {
    name: raw.name,
    title: raw.title,
    ...(raw.description !== undefined && { description: raw.description.trim() }),
    version: raw.version,
    dialect: {
      frames: dialect.frames.map((form) => ({
        name: form.name,
        scope: form.scope,
        match: form.match.map(condition),
        ...pick(form, ["code", "label", "message", "field", "requestId", "command", "details", "errors"]),
        ...(form.items !== undefined && { items: pick(form.items, ["code", "label", "message", "field"]) }),
        ...(form.constant !== undefined && { constant: form.constant as Record<string, Json> }),
        ...(form.stamps !== undefined && { stamps: form.stamps }),
      })),
      ...(dialect.success !== undefined && { success: { match: dialect.success.match.map(condition), codes: dialect.success.codes } }),
      ...(dialect.sequence !== undefined && { sequence: dialect.sequence }),
      ...(dialect.requests !== undefined && {
        requests: {
          command: dialect.requests.command,
          ...(dialect.requests.requestId !== undefined && { requestId: dialect.requests.requestId }),
          ...(dialect.requests.replyId !== undefined && { replyId: dialect.requests.replyId }),
          ...(dialect.requests.traceContext !== undefined && { traceContext: dialect.requests.traceContext }),
          ...(dialect.requests.errorReplies === "uncorrelated" && { errorReplies: "uncorrelated" as const }),
        },
      }),
      upgrade: {
        ...pick(dialect.upgrade ?? {}, ["header", "code", "message", "details"]),
        ...(dialect.upgrade?.constant !== undefined && { constant: dialect.upgrade.constant as Record<string, Json> }),
      },
      // A rule for several layers is one rule per layer, in the order written.
      fallbacks: (dialect.fallbacks ?? []).flatMap((f) =>
        (Array.isArray(f.layer) ? f.layer : [f.layer]).map((layer) => ({
          layer,
          ...(f.path !== undefined && { path: f.path }),
          ...(f.codes !== undefined && { codes: f.codes }),
          ...(f.from !== undefined && { from: f.from }),
          ...(f.to !== undefined && { to: f.to }),
          kind: f.kind,
          retry: retry(f.retry),
          summary: f.summary,
        })),
      ),
      ...(dialect.answers !== undefined && { answers: { ...dialect.answers } }),
      ...(dialect.grammar === "headers" && { grammar: "headers" as const }),
      ...(dialect.notes !== undefined && { notes: dialect.notes.trim() }),
    },
    errors: raw.errors.map((e): EntrySpec => {
      return {
        id: e.id,
        className: e.className ?? defaultClassName(e.id),
        code: e.code,
        kind: e.kind,
        scope: e.scope,
        summary: e.summary.trim(),
        ...(e.message !== undefined && { message: e.message }),
        ...(e.description !== undefined && { description: e.description.trim() }),
        ...(e.guidance !== undefined && { guidance: e.guidance.trim() }),
        retry: retry(e.retry),
        details: Object.fromEntries(
          Object.entries(e.details ?? {}).map(([name, d]) => [name, { type: d.type, ...(d.summary !== undefined && { summary: d.summary }) }]),
        ),
        ...(e.aliases !== undefined && { aliases: e.aliases }),
        ...(e.frame !== undefined && e.frame !== false && { frame: frame(e) }),
        ...(e.upgrade !== undefined && { upgrade: { status: e.upgrade.status, ...(e.upgrade.header !== undefined && { header: e.upgrade.header }) } }),
        ...(e.close !== undefined && {
          close: {
            // An API that documents no code for it: servers close with a policy violation.
            code: e.close.code ?? 1008,
            reason: e.close.reason ?? "",
            matchReason: e.close.matchReason ?? false,
            ...(e.close.anyCode === true && { anyCode: true as const }),
            ...(e.close.optional === true && { optional: true as const }),
            ...(e.close.afterFrame === true && { afterFrame: true as const }),
            ...(e.close.retry !== undefined && { retry: retry(e.close.retry) }),
          },
        }),
        ...(e.browserFallback !== undefined && { browserFallback: { code: e.browserFallback.code, reason: e.browserFallback.reason ?? e.summary.trim() } }),
        ...(e.deprecated !== undefined && { deprecated: e.deprecated }),
      };
    }),
  };
}

function condition(c: RawCondition): Condition {
  return {
    path: c.path,
    ...(c.equals !== undefined && { equals: c.equals as Json }),
    ...(c.notEquals !== undefined && { notEquals: c.notEquals as Json }),
    ...(c.exists !== undefined && { exists: c.exists }),
  };
}

function frame(e: RawEntry): FrameSpec {
  const f = typeof e.frame === "object" ? e.frame : {};
  return {
    code: f.code ?? e.code,
    ...pick(f, ["label", "template", "form"]),
    ...(f.when !== undefined && { when: f.when.map(condition) }),
    ...(f.constant !== undefined && { constant: f.constant as Record<string, Json> }),
  };
}

function retry(r: RawRetry): RetrySpec {
  const because = {
    ...(r.url !== undefined && { url: { field: r.url.field } }),
    ...(r.because !== undefined && { because: r.because.trim() }),
  };
  if (!r.delay) return { directive: r.directive, ...because };
  const d = r.delay;
  let delay: DelaySource;
  const replaces = d.replacesBackoff === true ? { replacesBackoff: true as const } : {};
  if (d.header !== undefined) delay = { header: d.header, ...replaces };
  else if (d.field !== undefined) delay = { field: d.field, unit: d.unit ?? "seconds", ...replaces };
  else if (d.window !== undefined) delay = { window: { fromMs: d.window.fromMs, toMs: d.window.toMs }, ...replaces };
  else delay = { ms: d.ms ?? 0, ...replaces };
  return { directive: r.directive, delay, ...because };
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
