/*
 * Telling entries apart by more than their code: a label, `when` conditions, a message template, a
 * close reason matched whatever the code or as a template. Passed in (to the codec) only by catalogs
 * that have such entries, so the bundle of a catalog told apart by its codes alone carries none of it.
 */
import type { CompiledEntry } from "./codec";
import { define } from "./path";
import type { CloseSpec, FrameSpec } from "./spec";
import type { Template, TemplateSupport } from "./template";

/** A catalog's entries as matching reads them: those with a message template, those with a close reason template, and the template support. */
export interface MatchingContext {
  readonly templated: readonly CompiledEntry[];
  readonly closeTemplates: readonly CompiledEntry[];
  /** Present whenever an entry has a template (compileCatalog checks). */
  readonly templates: TemplateSupport | undefined;
}

/**
 * How a decoder tells apart entries that share a code, or that have none: what
 * {@link compileCatalog}'s `matching` option takes.
 */
export interface MatchingSupport {
  /**
   * The entry a frame means among the candidates its code (or label) names: the first whose label,
   * `when` conditions and message template all fit, else the first with none of them; without
   * candidates and without a code, the first entry whose template the message fits.
   */
  readonly resolve: (
    context: MatchingContext,
    candidates: readonly CompiledEntry[] | undefined,
    code: unknown,
    label: unknown,
    message: unknown,
    value: object,
  ) => CompiledEntry | undefined;
  /** The template's captures as typed details, or undefined when the text does not fit it. */
  readonly captures: (context: MatchingContext, compiled: CompiledEntry, template: Template | undefined, text: unknown) => Record<string, unknown> | undefined;
  /** The entry whose close reason template fits a close, with its captures. */
  readonly closeByTemplate: (
    context: MatchingContext,
    code: number,
    reason: string,
  ) => { readonly compiled: CompiledEntry; readonly details: object } | undefined;
}

function captures(context: MatchingContext, compiled: CompiledEntry, template: Template | undefined, text: unknown): Record<string, unknown> | undefined {
  const { templates } = context;
  if (template === undefined || templates === undefined || typeof text !== "string") return undefined;
  const found = templates.match(template, text);
  if (found === undefined) return undefined;
  const details: Record<string, unknown> = {};
  for (const name of template.names) {
    const value = templates.convert(found[name] as string, compiled.entry.details[name]?.type);
    if (value === undefined) return undefined;
    define(details, name, value);
  }
  return details;
}

function resolve(
  context: MatchingContext,
  candidates: readonly CompiledEntry[] | undefined,
  code: unknown,
  label: unknown,
  message: unknown,
  value: object,
): CompiledEntry | undefined {
  if (candidates === undefined) {
    if (code !== undefined && code !== null) return undefined;
    for (const compiled of context.templated) if (captures(context, compiled, compiled.template, message) !== undefined) return compiled;
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  let fallback: CompiledEntry | undefined;
  // An entry whose label or conditions match but whose template does not fit the message (sent
  // with its summary, for want of the details its template needs): the closest there is.
  let near: CompiledEntry | undefined;
  for (const compiled of candidates) {
    const frame = compiled.entry.frame as FrameSpec;
    let checked = false;
    if (frame.label !== undefined && typeof label === "string") {
      if (label !== frame.label) continue;
      checked = true;
    }
    if (compiled.when) {
      if (!compiled.when(value)) continue;
      checked = true;
    }
    if (compiled.template) {
      if (captures(context, compiled, compiled.template, message) === undefined) {
        if (checked) near ??= compiled;
        continue;
      }
      checked = true;
    }
    if (checked) return compiled;
    fallback ??= compiled;
  }
  return near ?? fallback;
}

function closeByTemplate(context: MatchingContext, code: number, reason: string): { readonly compiled: CompiledEntry; readonly details: object } | undefined {
  for (const compiled of context.closeTemplates) {
    const close = compiled.entry.close as CloseSpec;
    if (!close.anyCode && close.code !== code) continue;
    const details = captures(context, compiled, compiled.closeTemplate, reason);
    if (details !== undefined) return { compiled, details };
  }
  return undefined;
}

/**
 * The {@link MatchingSupport} generated modules of catalogs with labels, `when` conditions,
 * templates or closes matched by reason alone pass in (`createCodec` always does).
 *
 * @example
 * ```ts
 * const compiled = core.internal.compileCatalog(spec, { classes, readers, templates: core.TEMPLATES, matching: core.MATCHING });
 * ```
 */
export const MATCHING: MatchingSupport = { resolve, captures, closeByTemplate };
