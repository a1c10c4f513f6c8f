import type { KindName } from "./kinds";
import type { CatalogSpec, EntrySpec } from "./spec";
import { closeReasonIsTemplate, compileTemplate } from "./template";

/** What a server answers on its own: a message it cannot parse, a command nobody handles, anything unexpected thrown. */
export type ServerRole = "malformed" | "unknownCommand" | "internal";

/** The kinds that stand in for each role, in order of preference. */
export const SERVER_ROLE_KINDS: Readonly<Record<ServerRole, readonly KindName[]>> = {
  malformed: ["invalid-message"],
  unknownCommand: ["unknown-command", "invalid-argument", "invalid-message"],
  internal: ["internal", "service-unavailable", "unknown"],
};

/**
 * The entry a server uses for each role when it is given none: the one the catalog names in
 * `dialect.answers`, else the first of the role's kinds with a frame layer (for input problems,
 * one that does not close the connection; the internal error may be on the upgrade layer only). An entry whose message or close reason is a template with
 * placeholders never stands in: the server has no detail values to fill them, and would send the
 * template itself, which no client decodes. A role with no entry is answered with a built-in error,
 * which `ws-errors lint` warns about.
 *
 * @example
 * ```ts
 * const { internal } = serverDefaults(escaRates.catalog);  // the internal-error entry
 * ```
 */
export function serverDefaults(catalog: CatalogSpec): Partial<Record<ServerRole, EntrySpec>> {
  const out: Partial<Record<ServerRole, EntrySpec>> = {};
  const candidates = catalog.errors.filter((e) => !writtenFromDetails(e));
  for (const role of Object.keys(SERVER_ROLE_KINDS) as ServerRole[]) {
    // The catalog's own word first: an API that closes on bad input names that entry, whatever it
    // closes with (lint checks the entry can be sent after the upgrade and has no placeholders).
    const named = catalog.dialect.answers?.[role];
    if (named !== undefined) {
      const entry = candidates.find((e) => e.id === named && (e.frame !== undefined || e.close !== undefined));
      if (entry) out[role] = entry;
      continue;
    }
    const found = SERVER_ROLE_KINDS[role]
      .map((kind) => candidates.find((e) => e.kind === kind && e.frame !== undefined && (role === "internal" || e.close === undefined)))
      .find((e) => e !== undefined);
    const entry =
      found ??
      (role === "internal" ? SERVER_ROLE_KINDS.internal.map((kind) => candidates.find((e) => e.kind === kind)).find((e) => e !== undefined) : undefined);
    if (entry) out[role] = entry;
  }
  return out;
}

/**
 * Whether an entry's message or close reason is a template with placeholders, written from the
 * error's details: such an entry cannot stand in for a server's own errors, which have none.
 *
 * @example
 * ```ts
 * writtenFromDetails({ ...entry, frame: { code: "x", template: "{field} is required" } }); // true
 * ```
 */
export function writtenFromDetails(entry: EntrySpec): boolean {
  const placeholders = (text: string | undefined) => text !== undefined && (compileTemplate(text)?.names.length ?? 0) > 0;
  return placeholders(entry.frame?.template) || (entry.close !== undefined && closeReasonIsTemplate(entry.close) && placeholders(entry.close.reason));
}
