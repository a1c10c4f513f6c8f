import type { CatalogSpec, Condition, DelaySource, EntrySpec, Json, RetrySpec } from "@ws-errors/core";
import { defaultClassName, type RawCatalog, type RawCondition, type RawRetry } from "./lint";

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
        code: form.code,
        ...pick(form, ["message", "field", "requestId", "command", "details", "errors"]),
        ...(form.constant !== undefined && { constant: form.constant as Record<string, Json> }),
        ...(form.stamps !== undefined && { stamps: form.stamps }),
      })),
      ...(dialect.success !== undefined && { success: { match: dialect.success.match.map(condition), codes: dialect.success.codes } }),
      ...(dialect.sequence !== undefined && { sequence: dialect.sequence }),
      ...(dialect.requests !== undefined && {
        requests: { command: dialect.requests.command, ...(dialect.requests.requestId !== undefined && { requestId: dialect.requests.requestId }) },
      }),
      upgrade: {
        ...pick(dialect.upgrade, ["header", "code", "message", "details"]),
        ...(dialect.upgrade.constant !== undefined && { constant: dialect.upgrade.constant as Record<string, Json> }),
      },
      fallbacks: (dialect.fallbacks ?? []).map((f) => ({
        layer: f.layer,
        ...(f.codes !== undefined && { codes: f.codes }),
        ...(f.from !== undefined && { from: f.from }),
        ...(f.to !== undefined && { to: f.to }),
        kind: f.kind,
        retry: retry(f.retry),
        summary: f.summary,
      })),
      ...(dialect.notes !== undefined && { notes: dialect.notes.trim() }),
    },
    errors: raw.errors.map((e): EntrySpec => {
      const frameCode = typeof e.frame === "object" && e.frame.code !== undefined ? e.frame.code : e.code;
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
        ...(e.frame !== undefined && e.frame !== false && { frame: { code: frameCode } }),
        ...(e.upgrade !== undefined && { upgrade: { status: e.upgrade.status, ...(e.upgrade.header !== undefined && { header: e.upgrade.header }) } }),
        ...(e.close !== undefined && { close: { code: e.close.code, reason: e.close.reason ?? "", matchReason: e.close.matchReason ?? false } }),
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

function retry(r: RawRetry): RetrySpec {
  if (!r.delay) return { directive: r.directive };
  const d = r.delay;
  let delay: DelaySource;
  if (d.header !== undefined) delay = { header: d.header };
  else if (d.field !== undefined) delay = { field: d.field, unit: d.unit ?? "seconds" };
  else delay = { ms: d.ms ?? 0 };
  return { directive: r.directive, delay };
}

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
