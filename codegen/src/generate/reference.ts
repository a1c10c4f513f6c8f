import type { CatalogReference, CatalogSpec } from "@ws-errors/core";

/**
 * The spec a generated module embeds: everything decoding, encoding and the retry policy read,
 * without the reference text (descriptions, guidance, detail summaries, notes), which goes to the
 * catalog's `.reference` module instead.
 */
export function runtimeSpec(spec: CatalogSpec): CatalogSpec {
  const { description: _description, ...catalog } = spec;
  const { notes: _notes, ...dialect } = spec.dialect;
  return {
    ...catalog,
    dialect,
    errors: spec.errors.map(({ description: _d, guidance: _g, ...entry }) => ({
      ...entry,
      details: Object.fromEntries(Object.entries(entry.details).map(([name, { summary: _s, ...detail }]) => [name, detail])),
    })),
  };
}

/** What {@link runtimeSpec} leaves out, by entry id. */
export function referenceOf(spec: CatalogSpec): CatalogReference {
  const errors: Record<string, CatalogReference["errors"][string]> = {};
  for (const entry of spec.errors) {
    const details = Object.fromEntries(Object.entries(entry.details).flatMap(([name, d]) => (d.summary !== undefined ? [[name, d.summary]] : [])));
    const text = {
      ...(entry.description !== undefined && { description: entry.description }),
      ...(entry.guidance !== undefined && { guidance: entry.guidance }),
      ...(Object.keys(details).length > 0 && { details }),
    };
    if (Object.keys(text).length > 0) errors[entry.id] = text;
  }
  return {
    catalog: spec.name,
    ...(spec.description !== undefined && { description: spec.description }),
    ...(spec.dialect.notes !== undefined && { notes: spec.dialect.notes }),
    errors,
  };
}
