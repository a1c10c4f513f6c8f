import type { CatalogReference, CatalogSpec } from "./spec";

/**
 * The whole catalog, reference text included: a generated module's lean spec with its
 * `<catalog>.reference` module put back. For tools that show descriptions and guidance.
 *
 * @example
 * ```ts
 * import { collective2 } from "@ws-errors/core/catalogs/collective2";
 * import { collective2Reference } from "@ws-errors/core/catalogs/collective2.reference";
 * const full = withReference(collective2.catalog, collective2Reference);
 * full.errors[0]?.guidance;
 * ```
 */
export function withReference(spec: CatalogSpec, reference: CatalogReference): CatalogSpec {
  if (reference.catalog !== spec.name) throw new TypeError(`the reference of catalog "${reference.catalog}" does not belong to catalog "${spec.name}"`);
  return {
    ...spec,
    ...(reference.description !== undefined && { description: reference.description }),
    dialect: { ...spec.dialect, ...(reference.notes !== undefined && { notes: reference.notes }) },
    errors: spec.errors.map((entry) => {
      const text = reference.errors[entry.id];
      if (!text) return entry;
      const details = Object.fromEntries(
        Object.entries(entry.details).map(([name, d]) => [name, text.details?.[name] !== undefined ? { ...d, summary: text.details[name] } : d]),
      );
      return {
        ...entry,
        ...(text.description !== undefined && { description: text.description }),
        ...(text.guidance !== undefined && { guidance: text.guidance }),
        details,
      };
    }),
  };
}
