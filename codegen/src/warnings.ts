import {
  KINDS,
  POLICY_CHOICES,
  createCodec,
  entryOfKinds,
  policyProblems,
  serverDefaults,
  writtenFromDetails,
  SERVER_ROLE_KINDS,
  type BuiltInPolicy,
  type CatalogSpec,
  type Directive,
  type KindName,
  type RetrySpec,
} from "@ws-errors/core";

const BUILT_IN = { malformed: "invalid_message", unknownCommand: "unknown_command", internal: "internal_error" } as const;
const WHAT = { malformed: "a message it cannot parse", unknownCommand: "a command no handler takes", internal: "an unexpected exception" } as const;

/**
 * What a valid catalog still leaves to defaults: the server answers a role it has no entry for (by
 * kind, or named in `dialect.answers`) with a built-in error (its code is not in the catalog, so
 * clients decode it as unknown). Printed by
 * `ws-errors lint`, which still exits 0.
 */
export function catalogWarnings(spec: CatalogSpec): string[] {
  const defaults = serverDefaults(spec);
  return [
    ...(Object.keys(BUILT_IN) as (keyof typeof BUILT_IN)[])
      .filter((role) => defaults[role] === undefined)
      .map((role) => {
        // Entries of the role's kinds that are there but cannot stand in, named so the warning does not seem to contradict the catalog.
        const templated = spec.errors.filter((e) => (SERVER_ROLE_KINDS[role] as readonly string[]).includes(e.kind) && writtenFromDetails(e));
        const why =
          templated.length > 0 ? ` (${templated.map((e) => `"${e.id}"`).join(", ")}: a templated message needs details the server does not have)` : "";
        return `no ${SERVER_ROLE_KINDS[role].join(" or ")} entry with a frame layer${role === "internal" ? "" : " that keeps the connection open"}${why}: servers answer ${WHAT[role]} with the built-in "${BUILT_IN[role]}" error, which is not in this catalog (where the API answers it otherwise, by closing for one, name that entry in dialect.answers.${role})`;
      }),
    ...closeWarnings(spec),
    ...policyWarnings(spec),
    ...kindDirectiveWarnings(spec),
  ];
}

/**
 * Entries a built-in server policy would pick but could not say on its layer (an unauthenticated
 * entry with neither an upgrade answer nor a close, for `apiKey`): a server configured with that
 * policy refuses to start, so lint says it first. Kinds the catalog has no entry for are not
 * warned of: a catalog need not serve every policy.
 *
 * @example
 * ```ts
 * policyWarnings(spec); // ['if a server uses apiKey: the api-key policy refuses an upgrade without a valid key with "bad-token", which has no upgrade, close or browserFallback layer to say it on']
 * ```
 */
export function policyWarnings(spec: CatalogSpec): string[] {
  const bare = createCodec(spec).decodeClose({ code: 1008, reason: "" })?.id;
  const seen = new Set<string>();
  return (Object.keys(POLICY_CHOICES) as BuiltInPolicy[]).flatMap((policy) => {
    const present = POLICY_CHOICES[policy].every((choice) => entryOfKinds(spec, choice.kinds, choice.layer) !== undefined);
    if (!present) return [];
    return policyProblems(spec, policy, [], bare)
      .map((problem) => problem.text)
      .filter((problem) => !seen.has(problem) && seen.add(problem))
      .map((problem) => `if a server uses ${camel(policy)}: ${problem}`);
  });
}

const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/* The kinds servers end connections for on their own (revocation, recheck, heartbeats, slow consumers). */
const CLOSED_FOR: readonly KindName[] = ["unauthenticated", "permission-denied", "heartbeat-timeout", "slow-consumer"];

/**
 * Entries a server may end a connection for (of those kinds, not command-scoped) that have neither
 * a close nor a browser fallback: the server then closes with a bare 1008, and where the catalog
 * gives 1008 to another entry, clients read that entry instead (a revoked key read as "too many
 * connections", say).
 */
export function closeWarnings(spec: CatalogSpec): string[] {
  const bare = createCodec(spec).decodeClose({ code: 1008, reason: "" });
  if (!bare || bare.id === "uncatalogued") return [];
  return spec.errors.flatMap((entry, i) =>
    CLOSED_FOR.includes(entry.kind) && entry.scope !== "command" && entry.close === undefined && entry.browserFallback === undefined && entry.id !== bare.id
      ? [
          `errors[${i}] (${entry.id}): a server that ends a connection for it (kind "${entry.kind}") closes with 1008, which this catalog reads as "${bare.id}" (${bare.kind}, ${bare.retry.directive}); give it a close or a browserFallback`,
        ]
      : [],
  );
}

const WHY: Partial<Record<KindName, string>> = {
  "permission-denied": "retrying without a change of permissions rarely succeeds",
  unauthenticated: "the same credentials fail again",
  "invalid-argument": "the same message fails again",
  "invalid-message": "the same message fails again",
  "unknown-command": "the same command fails again",
  "not-found": "what is missing rarely appears by itself",
  cancelled: "the caller asked for it to end",
};

/**
 * Directives a kind does not usually take. Real APIs do this (a reconnect after a permission
 * error), so it is a warning that gives the reason, not a refusal; `retry.because` in the catalog
 * says why and silences it.
 */
export function kindDirectiveWarnings(spec: CatalogSpec): string[] {
  const out: string[] = [];
  const check = (kind: KindName, retry: RetrySpec | undefined, where: string) => {
    if (!retry || retry.because !== undefined) return;
    const allowed = KINDS[kind].allowed as readonly Directive[];
    if (allowed.includes(retry.directive)) return;
    const why = WHY[kind] ? ` (${WHY[kind]})` : "";
    out.push(
      `${where}: directive "${retry.directive}" is unusual for kind "${kind}", which usually takes ${allowed.join(" or ")}${why}; if the API really does this, say why in retry.because`,
    );
  };
  for (const fallback of spec.dialect.fallbacks) check(fallback.kind, fallback.retry, `the ${fallback.layer} fallback "${fallback.summary}"`);
  spec.errors.forEach((entry, i) => {
    check(entry.kind, entry.retry, `errors[${i}] (${entry.id})`);
    check(entry.kind, entry.close?.retry, `errors[${i}] (${entry.id}) close`);
  });
  return out;
}
