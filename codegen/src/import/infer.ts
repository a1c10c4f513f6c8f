import { KINDS, type Directive, type KindName } from "@ws-errors/core";

/* What a docs page's words say, in rules and dictionaries: each answer carries the words it was
   drawn from, so the draft can say what a person should check. */

/** What a table column holds, from its title however the page words it. */
export type Role = "code" | "status" | "close" | "reason" | "kind" | "scope" | "retry" | "summary" | "notes" | "title" | "header" | "browser";

const ROLES: readonly (readonly [Role, RegExp])[] = [
  ["browser", /^browser( fallback)?/i],
  ["status", /^(http[ -]?)?status( code)?$|^http( code)?$|^http status code$/i],
  ["close", /^(ws |websocket )?close[ -]?(code|frame)?$|^close code$/i],
  ["reason", /^(close )?reason$/i],
  ["kind", /^kind$|^category$|^class$/i],
  ["scope", /^scope$/i],
  [
    "retry",
    /^retry(able)?\??$|^reconnect\??$|^(should (i|you) )?(retry|reconnect)\??$|^retry after$|^what to do$|^action$|^recovery$|^client action$|^retry( policy)?$|^recommend(ation|ed action)?s?$|^how to (fix|handle)( it)?$|^resolution$|^solution$/i,
  ],
  // A short name of the error beside its number: words for its kind, and its id.
  ["title", /^name$|^title$|^short name$/i],
  ["code", /^(error[ _-]?)?codes?$|^error$|^(error )?id$|^error name$|^error type$|^identifier$|^label$/i],
  ["summary", /^description$|^meaning$|^(typical )?cause$|^(error )?message$|^details?$|^summary$|^explanation$/i],
  ["header", /^`?x-[\w-]+`?$|^header$/i],
  // Words that say more about a row without being its summary.
  ["notes", /^notes?$|^remarks?$|^comments?$|^more$/i],
];

export function roleOf(title: string): Role | undefined {
  const clean = title.replace(/`/g, "").trim();
  return ROLES.find(([, pattern]) => pattern.test(clean))?.[0] ?? (/^`?x-[\w-]+`?$/i.test(title) ? "header" : undefined);
}

/** An inference and the words it came from; `fact` when the page states it outright. */
export interface Drawn<T> {
  readonly value: T;
  readonly from?: string;
  readonly fact?: true;
}

/* Words that name a kind, most specific first. */
const KIND_WORDS: readonly (readonly [KindName, RegExp])[] = [
  [
    "connection-limit",
    /too many connections|connection limit|connections? (per|for) (the )?(key|account|user)|max(imum)? connections|connections?\b[^.]*(exceed|\bover\b|\babove\b|beyond)|exceed[^.]*\bconnections|too many sessions|\d+ sessions (open|opened)/i,
  ],
  [
    "subscription-limit",
    /too many (subscriptions|channels|streams|symbols|pairs|topics|rooms)|at most \d+ \w+ per connection|(subscription|channel|stream) limit|(symbols|subscriptions|channels|streams)\b[^.]*exceed|more (symbols|subscriptions|channels|streams|topics)\b/i,
  ],
  [
    "rate-limited",
    /rate[ _-]?limit|too many (requests|messages|operations)|throttl|slow down|request limit|(request|message) rate|rate exceeded|message frequency|too fast|too quickly|more than \d+ \w+ (in|per|a) (a )?(second|minute)/i,
  ],
  ["quota-exhausted", /quota|credits? (exhausted|used up)|plan limit/i],
  ["heartbeat-timeout", /heartbeat|ping timeout|pong|keep-?alive/i],
  ["slow-consumer", /slow (client|consumer)|buffer (full|overflow)|backpressure|not reading/i],
  [
    "unauthenticated",
    /unauthori[sz]ed|unauthenticated|authentication|(token|api key|credentials?) (is )?(missing|not (sent|provided|given))|no (token|credentials?) (was )?(sent|given|provided)|token\b[^.]*\b(is|has) (invalid|expired|revoked)|api[ -]?key|token (is )?(expired|invalid|revoked|rejected)|(invalid|expired|revoked|rejected) token|invalid (token|key|credentials)|not authenticated|login/i,
  ],
  [
    "permission-denied",
    /forbidden|permission|not allowed|may not|not permitted|not authori[sz]ed for|access denied|refused|banned|whitelist|allowlist|ip (address )?not/i,
  ],
  ["unknown-command", /unknown (command|method|action|op|event|type)|unsupported (command|method|operation)|method not found|no such (command|method)/i],
  [
    "invalid-message",
    /not valid json|invalid json|bad json|valid json|json format|malformed|parse error|(cannot|could not|can't) (be )?parsed?|unparsable|fragment|unsupported data|invalid (message|frame|payload)|(could not|cannot|can't) be decoded|decode error|protocol (rule|violation|error)/i,
  ],
  ["already-exists", /already (subscribed|exists|follow)|duplicate/i],
  ["aborted", /conflict|stale|old revision|version mismatch|concurrent(ly)? modified/i],
  [
    "not-found",
    /not found|no such|unknown (symbol|channel|topic|stream|instrument|strategy|pair|market|asset|currency|room|document|resource)|not offered|does not exist|not (currently )?subscribed|not listed|isn't (listed|supported)|unsupported (symbol|pair|instrument|market)/i,
  ],
  ["out-of-range", /out of range|too (large|small|long)|exceeds? (the )?(max|limit)/i],
  ["client-disconnect", /client[- ]side disconnect|disconnected by the client|unstable network/i],
  ["upstream-timeout", /upstream|gateway|origin( server)?|\bcdn\b|data (source|provider)/i],
  ["deadline-exceeded", /timed? ?out|deadline/i],
  ["channel-unavailable", /(subscription|channel|stream|feed) (is )?(temporarily )?(unavailable|disabled)|channel (disabled|closed)/i],
  ["service-unavailable", /unavailable|maintenance|overload|restart|going away|shutting down|try again later|capacity|server[- ]wide|service[- ]wide/i],
  ["data-loss", /data loss|lost (messages|data)|gap/i],
  ["internal", /internal|unexpected (server )?error|server error|fault|bug/i],
  // The generic one last: "invalid" and "missing" say little when anything more specific is said.
  ["invalid-argument", /invalid|missing|required|bad (request|param)|must be|wrong/i],
];

const STATUS_KINDS: Readonly<Record<number, KindName>> = {
  400: "invalid-argument",
  401: "unauthenticated",
  403: "permission-denied",
  404: "not-found",
  408: "deadline-exceeded",
  409: "aborted",
  426: "failed-precondition",
  429: "rate-limited",
  500: "internal",
  502: "upstream-timeout",
  503: "service-unavailable",
  504: "upstream-timeout",
};

const CLOSE_KINDS: Readonly<Record<number, KindName>> = {
  1001: "service-unavailable",
  1002: "invalid-message",
  1003: "invalid-message",
  1006: "client-disconnect",
  1007: "invalid-message",
  1008: "permission-denied",
  1009: "invalid-message",
  1011: "internal",
  1012: "service-unavailable",
  1013: "service-unavailable",
  1014: "upstream-timeout",
};

/** Which of several kinds a page states for one code this row's words name (the first when none). */
export function kindAmong(candidates: readonly string[], text: string): string | undefined {
  return candidates.find((kind) => KIND_WORDS.find(([k]) => k === kind)?.[1].test(text)) ?? candidates[0];
}

/* The first match of a kind's words that names the thing, not a qualifier of another: in
   "per-API-key connection limit" the key only says whose limit it is. */
function qualified(words: RegExp, text: string): RegExpExecArray | null {
  const all = new RegExp(words.source, "gi");
  for (let match = all.exec(text); match; match = all.exec(text)) {
    if (!/\bper[- ]$/i.test(text.slice(Math.max(0, match.index - 4), match.index))) return match;
    if (match[0] === "") all.lastIndex++;
  }
  return null;
}

/** The kind a row means: the page's own word for it, else its text, else its status or close code. */
export function kindOf(stated: string | undefined, texts: readonly string[], status?: number, close?: number): Drawn<KindName> {
  const named = stated
    ?.trim()
    .toLowerCase()
    .replace(/[_\s]+/g, "-");
  if (named && Object.hasOwn(KINDS, named)) return { value: named as KindName, fact: true };
  // A code that is a kind's own name says it ("invalid_message", "RATE_LIMITED" is not one).
  const last = texts
    .at(-1)
    ?.trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-");
  // ...unless the description names another kind and not that one ("rate_limited": "dropped as a
  // slow consumer").
  const described = texts[0] === undefined ? undefined : wordsKind(texts[0], status);
  const byName = last && Object.hasOwn(KINDS, last) && last !== "unknown" ? (last as KindName) : undefined;
  if (byName && !(described && described.value !== byName && !qualified(KIND_WORDS.find(([k]) => k === byName)?.[1] ?? /$^/, texts[0] ?? "")))
    return { value: byName, from: "the code's own name" };
  // The description first, then the rest of the row, the code last: a code's words are terse.
  for (const text of texts) {
    const found = wordsKind(text, status);
    if (found === null) break;
    if (found) return found;
  }
  if (status !== undefined && STATUS_KINDS[status]) return { value: STATUS_KINDS[status] as KindName, from: `HTTP ${status}` };
  if (status !== undefined && status >= 500) return { value: "service-unavailable", from: `HTTP ${status}` };
  if (close !== undefined && CLOSE_KINDS[close]) return { value: CLOSE_KINDS[close] as KindName, from: `close ${close}` };
  return { value: "unknown", from: "nothing in the row" };
}

/* The kind a text's words name; null when only generic words and a well-known status say more. */
function wordsKind(text: string, status: number | undefined): Drawn<KindName> | undefined | null {
  {
    // The kind named first in the text wins ("Invalid message format or command" is about the
    // message); among words at one place, the more specific kind (the list's order).
    let best: { kind: KindName; at: number; words: string } | undefined;
    for (const [kind, words] of KIND_WORDS) {
      const match = qualified(words, text);
      if (kind === "invalid-argument" && best) break;
      if (match && (best === undefined || match.index < best.at)) best = { kind, at: match.index, words: match[0] };
    }
    // A well-known status says more than a generic "missing" or "invalid".
    if (best?.kind === "invalid-argument" && status !== undefined && STATUS_KINDS[status]) return null;
    return best ? { value: best.kind, from: best.words } : undefined;
  }
}

/** A retry delay as the page states it, in the catalog's terms. */
export type DrawnDelay =
  | { readonly header: string }
  | { readonly ms: number; readonly replacesBackoff?: true }
  | { readonly field: string; readonly unit: "seconds" | "milliseconds" | "epoch-seconds" | "epoch-milliseconds" };

/** The directive (and delay) a "Retryable" cell says, else the kind's usual one. */
export function retryOf(text: string | undefined, kind: KindName, layer: "frame" | "upgrade" | "close"): Drawn<{ directive: Directive; delay?: DrawnDelay }> {
  const cell = (text ?? "").trim();
  const delay = delayOf(cell);
  const withDelay = (directive: Directive, from: string) => ({ value: { directive, ...(delay && { delay }) }, from });
  const rules: readonly (readonly [Directive, RegExp])[] = [
    ["reauthenticate", /authenticate again on the same connection|re-?authenticate on the (same|open) connection/i],
    ["resubscribe", /subscribe again|re-?subscribe/i],
    ["refresh-credentials", /refresh(ing)? (the |your )?(credentials|token|key)|new (token|key|credentials)|re-?authenticat/i],
    ["free-connection", /clos(e|ing) (an|another|an existing) (existing )?(connection|session)/i],
    ["resume", /resume/i],
    ["stop", /^(no|false|never)\b|(do not|don't|must not|never) (retry|reconnect)|not retryable|fatal|permanent/i],
    // Told to get it elsewhere: retrying here will not help.
    ["stop", /\buse (the )?(http|rest) api\b|use [\w/ ]+ instead|not available (over|on) (the )?websocket/i],
    [
      "retry-later",
      /retry the (message|request|operation|command)|send (it|the \w+) again|retry (it )?later|retry after|try again|^(yes|true)\b(?!.*reconnect)/i,
    ],
    ["reconnect", /reconnect/i],
  ];
  for (const [directive, words] of rules) {
    const match = words.exec(cell);
    if (match) {
      // A refused upgrade or a close is retried by connecting again.
      const resolved = directive === "retry-later" && layer !== "frame" && !/message|request/i.test(cell) ? "reconnect" : directive;
      return withDelay(resolved, match[0]);
    }
  }
  const usual = KINDS[kind].directive as Directive;
  return { value: { directive: usual, ...(delay && { delay }) }, from: `the usual directive of kind ${kind}` };
}

function delayOf(cell: string): DrawnDelay | undefined {
  const header = /wait for the `([^`]+)` header|`?(retry-after)`? header/i.exec(cell);
  if (header) return { header: header[1] ?? "Retry-After" };
  if (/\bat once\b|immediately/i.test(cell)) return { ms: 0, replacesBackoff: true };
  const field = /wait as `(\w+)` says, in (seconds|milliseconds|epoch-seconds|epoch-milliseconds)/i.exec(cell);
  if (field) return { field: field[1] as string, unit: field[2] as "seconds" };
  const fixed = /wait (\d+(?:\.\d+)?) ?(ms|milliseconds?|s|seconds?)\b/i.exec(cell);
  if (fixed) return { ms: Math.round(Number(fixed[1]) * (/^m/i.test(fixed[2] as string) ? 1 : 1000)) };
  return undefined;
}

/** The scope a cell states, or `both` when it says nothing a person should not check. */
export function scopeOf(text: string | undefined): Drawn<"connection" | "command" | "both"> {
  const cell = (text ?? "").trim().toLowerCase();
  if (cell === "connection" || cell === "command" || cell === "both") return { value: cell, fact: true };
  return { value: "both", from: "no scope on the page" };
}
