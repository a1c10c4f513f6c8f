import type { KindName } from "./kinds";
import type { CatalogSpec, EntrySpec } from "./spec";

/** The layer a server says an error on: refusing the upgrade, a frame, or a close. */
export type SendLayer = "upgrade" | "frame" | "close";

/** One situation in which a built-in server policy sends a catalog error of its own choosing. */
export interface PolicyChoice {
  /** The kinds that stand for it, in order of preference. */
  readonly kinds: readonly KindName[];
  /** Where it is said. */
  readonly layer: SendLayer;
  /** What the policy is doing when it sends it, for messages ("refuses an upgrade without a valid key"). */
  readonly when: string;
}

const AUTH: readonly KindName[] = ["unauthenticated", "permission-denied"];

/**
 * Which entry each built-in server policy sends, and on which layer, when it is not given one: the
 * one table both the server (which picks by it and checks at construction that each pick can be
 * said) and `ws-errors lint` (which warns of picks that cannot) read.
 */
export const POLICY_CHOICES = {
  "api-key": [{ kinds: AUTH, layer: "upgrade", when: "refuses an upgrade without a valid key" }],
  "attempt-rate": [{ kinds: ["rate-limited"], layer: "upgrade", when: "refuses an upgrade over the attempt limit" }],
  "connection-cap": [{ kinds: ["connection-limit"], layer: "upgrade", when: "refuses an upgrade over the connection cap" }],
  "message-rate": [{ kinds: ["rate-limited"], layer: "frame", when: "answers a message over the rate limit (and closes a client that keeps on)" }],
  heartbeat: [{ kinds: ["heartbeat-timeout"], layer: "close", when: "ends a connection that stopped answering" }],
  "slow-consumer": [{ kinds: ["slow-consumer"], layer: "close", when: "ends a connection that does not read" }],
  recheck: [{ kinds: AUTH, layer: "close", when: "ends a connection whose credentials no longer pass" }],
  revocation: [
    { kinds: AUTH, layer: "close", when: "ends the connections of a revoked key" },
    { kinds: AUTH, layer: "upgrade", when: "refuses an upgrade with a revoked key" },
  ],
} as const satisfies Record<string, readonly PolicyChoice[]>;

/** The name of a built-in server policy, as {@link POLICY_CHOICES} lists them. */
export type BuiltInPolicy = keyof typeof POLICY_CHOICES;

/**
 * The entry of the first of `kinds` the catalog has, preferring one that appears on `layer`: how
 * built-in policies and the server find "the catalog's rate-limit error" without being told.
 *
 * @example
 * ```ts
 * entryOfKinds(collective2.catalog, ["unauthenticated", "permission-denied"], "upgrade")?.id; // "unauthorized"
 * ```
 */
export function entryOfKinds(catalog: CatalogSpec, kinds: KindName | readonly KindName[], layer?: SendLayer): EntrySpec | undefined {
  for (const kind of typeof kinds === "string" ? [kinds] : kinds) {
    const entries = catalog.errors.filter((e) => e.kind === kind);
    const entry = (layer === undefined ? undefined : entries.find((e) => e[layer] !== undefined)) ?? entries[0];
    if (entry) return entry;
  }
  return undefined;
}

/**
 * The layer an entry is missing to be said where a server sends it, or `undefined` when it can be:
 * an upgrade refusal needs an upgrade answer, or a close (or browser fallback) to accept and close
 * with, as APIs that close bad tokens with 4001 do; a close needs a close or a browser fallback (a
 * bare 1008 may read as another entry); a frame needs a frame layer.
 *
 * @example
 * ```ts
 * missingLayer({ ...entry, upgrade: undefined, close: undefined, browserFallback: undefined }, "upgrade"); // "upgrade, close or browserFallback"
 * ```
 */
export function missingLayer(entry: EntrySpec, layer: SendLayer): string | undefined {
  const closes = entry.close !== undefined || entry.browserFallback !== undefined;
  if (layer === "upgrade") return entry.upgrade !== undefined || closes ? undefined : "upgrade, close or browserFallback";
  if (layer === "close") return closes ? undefined : "close or browserFallback";
  return entry.frame !== undefined ? undefined : "frame";
}

/** One thing that stops a policy from saying an error: the sentence, the layer, and the entry it picked (none: the catalog has no entry of the kinds). */
export interface PolicyProblem {
  readonly text: string;
  readonly layer: SendLayer;
  readonly entry: EntrySpec | undefined;
}

/**
 * What stops a policy from saying its errors in this catalog, one sentence each naming the policy,
 * the entry and the missing layer: no entry of the kinds it needs, or one that cannot be said on
 * its layer. `given` is the entry a user passed for a situation (by index), which replaces the
 * policy's own pick. A close without a close layer goes out as a bare 1008: a problem only when
 * the catalog reads a bare 1008 as another entry (`bare1008`, the id it decodes as).
 *
 * @example
 * ```ts
 * policyProblems(catalog, "api-key").map((problem) => problem.text);
 * // ['the api-key policy refuses an upgrade without a valid key with "bad-token", which has no upgrade, close or browserFallback layer to say it on']
 * ```
 */
export function policyProblems(
  catalog: CatalogSpec,
  policy: BuiltInPolicy,
  given: readonly (EntrySpec | undefined)[] = [],
  bare1008?: string,
): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  (POLICY_CHOICES[policy] as readonly PolicyChoice[]).forEach((choice, i) => {
    const entry = given[i] ?? entryOfKinds(catalog, choice.kinds, choice.layer);
    const say = (text: string) => out.push({ text, layer: choice.layer, entry });
    if (!entry)
      return say(
        `the ${policy} policy ${choice.when} with the catalog's ${choice.kinds.join(" or ")} entry, and catalog "${catalog.name}" has none: add one, or pass the entry to use`,
      );
    const missing = missingLayer(entry, choice.layer);
    if (!missing) return;
    if (choice.layer !== "close") say(`the ${policy} policy ${choice.when} with "${entry.id}", which has no ${missing} layer to say it on`);
    else if (bare1008 !== undefined && bare1008 !== entry.id && bare1008 !== "uncatalogued") {
      say(`the ${policy} policy ${choice.when} with "${entry.id}", which has no ${missing} layer: its bare 1008 would read as "${bare1008}"`);
    }
  });
  return out;
}
