import { KINDS, type KindName } from "@ws-errors/core";
import fc from "fast-check";

/*
 * Catalogs nobody here wrote: every envelope, code spelling and set of layers the format allows,
 * drawn at random, each one valid and lint-clean (the generator's own promise, asserted by the
 * suite, so a catalog the loader refuses is a generator bug or a lint bug, never skipped).
 */

/** A raw catalog as a user writes it (then `JSON.stringify`d: JSON is YAML). */
export interface RawCatalog {
  readonly name: string;
  readonly title: string;
  readonly version: string;
  readonly dialect: Record<string, unknown>;
  readonly errors: readonly Record<string, unknown>[];
}

const KIND_NAMES = Object.keys(KINDS).filter((k) => k !== "unknown") as KindName[];
/* Kinds the built-in policies pick, drawn more often so the policy paths are reached. */
const POLICY_KINDS: KindName[] = [
  "unauthenticated",
  "permission-denied",
  "rate-limited",
  "connection-limit",
  "heartbeat-timeout",
  "slow-consumer",
  "internal",
  "invalid-message",
];

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/);
const text = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 .,'-]{0,30}[A-Za-z0-9.]$/);
const stringCode = fc.stringMatching(/^[A-Z][A-Z_]{1,10}$/);
const numberCode = fc.integer({ min: -99, max: 99_999 });

interface EntryDraft {
  readonly kind: KindName;
  readonly directive: string;
  readonly scope: "connection" | "command" | "both";
  readonly frame: boolean;
  readonly upgrade: boolean;
  readonly header: boolean;
  /** `after-frame`: the API closes after its frame with a code it does not document. */
  readonly close: "none" | "plain" | "optional" | "any-code" | "after-frame";
  readonly fallback: boolean;
  readonly summary: string;
  readonly detail: boolean;
  /** Its frame's message is a template capturing its detail. */
  readonly template: boolean;
  /** It shares the previous entry's code, both told apart by a `when` condition. */
  readonly shared: boolean;
  /** Another code means it too. */
  readonly alias: boolean;
}

const entryDraft: fc.Arbitrary<EntryDraft> = fc
  .record({
    kind: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...POLICY_KINDS) }, { weight: 1, arbitrary: fc.constantFrom(...KIND_NAMES) }),
    directivePick: fc.nat(),
    scope: fc.constantFrom("connection" as const, "command" as const, "both" as const),
    frame: fc.boolean(),
    upgrade: fc.boolean(),
    header: fc.boolean(),
    close: fc.constantFrom("none" as const, "plain" as const, "optional" as const, "any-code" as const, "after-frame" as const),
    fallback: fc.boolean(),
    summary: text,
    detail: fc.boolean(),
    template: fc.boolean(),
    shared: fc.boolean(),
    alias: fc.boolean(),
  })
  .map(({ directivePick, ...draft }) => {
    // A directive the kind takes, so lint has nothing to warn of; resume only where there is a sequence.
    const allowed = (KINDS[draft.kind].allowed as readonly string[]).filter((d) => d !== "resume");
    const directive = allowed[directivePick % allowed.length] ?? "stop";
    // Every entry is on some layer; command-scope errors answer a request, so they have a frame.
    const frame = draft.frame || draft.scope !== "connection" || (!draft.upgrade && draft.close === "none");
    // An optional close follows a frame; one matched by reason alone (any code) needs a reason.
    const close = (draft.close === "optional" || draft.close === "after-frame") && !frame ? "plain" : draft.close;
    // A template captures the detail; a shared code is told apart on frames only.
    return { ...draft, directive, frame, close, template: draft.template && draft.detail && frame, shared: draft.shared && frame && !draft.upgrade };
  });

/** A valid, lint-clean catalog of 1 to `maxEntries` entries in a random envelope. */
export function catalogArbitrary(maxEntries = 6): fc.Arbitrary<RawCatalog> {
  return fc
    .record({
      keys: fc.uniqueArray(identifier, { minLength: 10, maxLength: 10 }),
      labelled: fc.boolean(),
      aliases: fc.uniqueArray(fc.integer({ min: 100_000, max: 199_999 }), { minLength: maxEntries, maxLength: maxEntries }),
      range: fc.option(
        fc.record({
          layer: fc.constantFrom<string[]>(["close"], ["frame"], ["frame", "close"]),
          from: fc.integer({ min: 4000, max: 4900 }),
          width: fc.integer({ min: 0, max: 99 }),
          kind: fc.constantFrom(...KIND_NAMES),
        }),
        { nil: undefined },
      ),
      // A fallback keyed by another field of the frame (a status), for codes no entry lists.
      keyed: fc.option(
        fc.record({
          values: fc.uniqueArray(fc.oneof(fc.integer({ min: 100, max: 999 }), identifier), { minLength: 1, maxLength: 3 }),
          kind: fc.constantFrom(...KIND_NAMES),
        }),
        { nil: undefined },
      ),
      nest: fc.option(
        identifier.map((k) => `w${k}`),
        { nil: undefined },
      ),
      typeValue: identifier,
      correlated: fc.boolean(),
      upgradeForm: fc.constantFrom("none", "status", "header", "body"),
      drafts: fc.array(entryDraft, { minLength: 1, maxLength: maxEntries }),
      codes: fc.uniqueArray(fc.oneof(numberCode, stringCode), { minLength: maxEntries, maxLength: maxEntries, selector: (c) => String(c) }),
      closeCodes: fc.uniqueArray(fc.integer({ min: 4000, max: 4999 }), { minLength: 2 * maxEntries, maxLength: 2 * maxEntries }),
      statuses: fc.uniqueArray(fc.integer({ min: 400, max: 599 }), { minLength: maxEntries, maxLength: maxEntries }),
      reasonsDistinct: fc.uniqueArray(text, { minLength: 2 * maxEntries, maxLength: 2 * maxEntries, selector: (t) => t.toLowerCase() }),
    })
    .map(({ keys, nest, typeValue, correlated, upgradeForm, drafts, codes, closeCodes, statuses, reasonsDistinct, labelled, aliases, range, keyed }) => {
      const [type, code, message, requestId, details, command, upgradeCode, label, sub, status] = keys as [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      const inner = (path: string) => (nest ? `${nest}.${path}` : path);
      const frame: Record<string, unknown> = {
        name: "error",
        scope: "both",
        match: [{ path: type, equals: typeValue }],
        constant: { [type]: typeValue },
        code: inner(code),
        message: inner(message),
        details: inner(details),
        ...(labelled && { label: inner(label) }),
        ...(correlated && { requestId }),
      };
      const upgrade: Record<string, unknown> =
        upgradeForm === "header" ? { header: "X-Error-Code" } : upgradeForm === "body" ? { code: upgradeCode, message } : {};
      // An entry shares the previous one's code only where both are said on frames alone.
      const sharing = drafts.map(
        (draft, i) => i > 0 && draft.shared && (drafts[i - 1] as EntryDraft).shared && !(i > 1 && (drafts[i - 2] as EntryDraft).shared),
      );
      const errors = drafts.map((draft, i) => {
        const shares = sharing[i] as boolean;
        const shared = shares || (sharing[i + 1] ?? false);
        const entryCode = shares ? codes[i - 1] : codes[i];
        const id = [
          `e${i}`,
          ...String(entryCode)
            .toLowerCase()
            .split(/[^a-z0-9]+/)
            .filter(Boolean),
        ].join("-");
        const entry: Record<string, unknown> = {
          id,
          code: entryCode,
          kind: draft.kind,
          scope: draft.scope,
          summary: draft.summary,
          retry: { directive: draft.directive },
        };
        if (draft.detail) entry.details = { amount: { type: "integer" } };
        if (draft.frame) {
          const frameSpec = {
            ...(labelled && { label: `L${i}_${typeValue.toUpperCase()}` }),
            ...(draft.template && { template: `E${i} has {amount} left` }),
            ...(shared && { when: [{ path: inner(sub), equals: `s${i}` }] }),
          };
          entry.frame = Object.keys(frameSpec).length > 0 ? frameSpec : true;
        }
        if (draft.alias && !shared) entry.aliases = [aliases[i]];
        if (draft.upgrade) entry.upgrade = { status: statuses[i], ...(draft.header && upgradeForm === "header" && { header: `E${i}` }) };
        if (draft.close === "after-frame") {
          // Half of them name the code servers send; the rest leave it to the default.
          entry.close = { afterFrame: true, ...(i % 2 === 0 && { code: closeCodes[2 * i] }) };
        } else if (draft.close !== "none") {
          entry.close = {
            code: closeCodes[2 * i],
            reason: reasonsDistinct[i],
            ...(draft.close === "optional" && { optional: true }),
            ...(draft.close === "any-code" && { anyCode: true }),
          };
        }
        // A browser fallback stands in for an upgrade answer a browser cannot see.
        if (draft.fallback && draft.upgrade) entry.browserFallback = { code: closeCodes[2 * i + 1], reason: reasonsDistinct[maxEntries + i] };
        return entry;
      });
      return {
        name: "generated",
        title: "A generated catalog",
        version: "1",
        dialect: {
          frames: [frame],
          requests: { command, ...(correlated && { requestId }), ...(!correlated && { errorReplies: "uncorrelated" }) },
          ...(upgradeForm !== "none" && { upgrade }),
          // A code range no entry need own, on frames, closes or both.
          fallbacks: [
            ...(range
              ? [
                  {
                    layer: range.layer,
                    from: range.from,
                    to: range.from + range.width,
                    kind: range.kind,
                    retry: { directive: KINDS[range.kind].allowed.find((d) => d !== "resume") ?? "stop" },
                    summary: "A range of codes",
                  },
                ]
              : []),
            ...(keyed
              ? [
                  {
                    layer: "frame",
                    path: inner(status),
                    codes: keyed.values,
                    kind: keyed.kind,
                    retry: { directive: KINDS[keyed.kind].allowed.find((d) => d !== "resume") ?? "stop" },
                    summary: "Codes classified by their status",
                  },
                ]
              : []),
          ],
        },
        errors,
      };
    });
}
