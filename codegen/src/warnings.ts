import { serverDefaults, SERVER_ROLE_KINDS, type CatalogSpec } from "@ws-errors/core";

const BUILT_IN = { malformed: "invalid_message", unknownCommand: "unknown_command", internal: "internal_error" } as const;
const WHAT = { malformed: "a message it cannot parse", unknownCommand: "a command no handler takes", internal: "an unexpected exception" } as const;

/**
 * What a valid catalog still leaves to defaults: the server answers a role it has no entry for with
 * a built-in error (its code is not in the catalog, so clients decode it as unknown). Printed by
 * `ws-errors lint`, which still exits 0.
 */
export function catalogWarnings(spec: CatalogSpec): string[] {
  const defaults = serverDefaults(spec);
  return (Object.keys(BUILT_IN) as (keyof typeof BUILT_IN)[])
    .filter((role) => defaults[role] === undefined)
    .map((role) => `no ${SERVER_ROLE_KINDS[role].join(" or ")} entry with a frame layer${role === "internal" ? "" : " that keeps the connection open"}: servers answer ${WHAT[role]} with the built-in "${BUILT_IN[role]}" error, which is not in this catalog`);
}
