import type { KindName } from "@ws-errors/core";
import type { DocProse } from "./tables";

/* On which layers of the socket an error travels, from what a row or a paragraph says in words:
   "returned as HTTP 429 pre-upgrade", "a `PolicyViolation` socket close", "connection closes",
   and, where the page is silent, where an error of its kind is met (a missing key at the upgrade). */

/** Close codes by the names libraries and docs give them (RFC 6455 section 7.4.1, IANA registry). */
const CLOSE_NAMES: Readonly<Record<string, number>> = {
  normalclosure: 1000,
  goingaway: 1001,
  protocolerror: 1002,
  unsupporteddata: 1003,
  invalidframepayloaddata: 1007,
  invalidpayloaddata: 1007,
  policyviolation: 1008,
  messagetoobig: 1009,
  mandatoryextension: 1010,
  internalerror: 1011,
  internalservererror: 1011,
  servicerestart: 1012,
  tryagainlater: 1013,
  badgateway: 1014,
};

/** A close code written as a number or a name (`PolicyViolation`, `GOING_AWAY`, "normal closure"). */
export function closeCodeOf(word: string): number | undefined {
  const clean = word.replace(/[`"'_\s-]/g, "").toLowerCase();
  if (/^[1-4]\d{3}$/.test(clean)) return Number(clean);
  return CLOSE_NAMES[clean];
}

/** What a row's words state about its layers, each with the words it came from. */
export interface LayersSaid {
  /** "Sent as an error message", "the connection stays open". */
  readonly frame?: string;
  readonly upgrade?: { readonly status: number; readonly from: string };
  readonly close?: { readonly code?: number; readonly from: string };
}

const NOT_CLOSING = /neither closes|(does not|doesn't|never|not) (close|drop)|without closing|stays open|remains open|keeps the connection open/i;

export function layersSaid(text: string): LayersSaid {
  const upgrade =
    /(?:returned|answered|rejected|refused|surfaces?|reported) (?:as|with) (?:an? )?(?:http|status) (\d{3})\b|\bhttp (\d{3}) (?:pre-upgrade|before the upgrade|on the upgrade)/i.exec(
      text,
    );
  const named = [...text.matchAll(/`?(\w+)`? (?:socket |websocket |connection )?close\b|close code `?(\w+)`?/gi)].find(
    (m) => closeCodeOf((m[1] ?? m[2]) as string) !== undefined,
  );
  const namedCode = named ? closeCodeOf((named[1] ?? named[2]) as string) : undefined;
  const closes = NOT_CLOSING.test(text)
    ? null
    : /connection (?:closes|is closed|was closed|is dropped|was dropped|will be closed|is terminated)|closes the (?:connection|socket)|\bdropped\b|disconnect(?:ed|ion)\b/i.exec(
        text,
      );
  const frame = /sent as an? (?:error )?(?:message|frame)|(?:stays|remains|keeps the connection) open|arrives? as an? (?:\w+ )*?(?:frame|message|ack)/i.exec(
    text,
  );
  return {
    ...(frame && { frame: frame[0] }),
    ...(upgrade && { upgrade: { status: Number(upgrade[1] ?? upgrade[2]), from: upgrade[0] } }),
    ...(namedCode !== undefined ? { close: { code: namedCode, from: (named as RegExpMatchArray)[0] } } : closes && { close: { from: closes[0] } }),
  };
}

/** What a whole page says that changes how its rows read. */
export interface PageFacts {
  /** Credentials travel with the upgrade (a header, a query parameter, the URL). */
  readonly credentialsAtConnect: boolean;
  /** The page documents the upgrade's statuses itself: none are inferred. */
  readonly statusTable: boolean;
}

const STATUS_BY_KIND: Partial<Record<KindName, number>> = {
  unauthenticated: 401,
  "permission-denied": 403,
  "not-found": 404,
  "connection-limit": 429,
  "rate-limited": 429,
  "quota-exhausted": 429,
  internal: 500,
  "upstream-timeout": 502,
  "service-unavailable": 503,
};

/**
 * Where a page that documents no upgrade statuses still means one: an error that can only be met
 * while connecting (no key sent, an address not allowed, no such endpoint, too many connections)
 * is a refused upgrade; one the server may meet at any time (its own fault, an overload, a plain
 * rate limit) is both a refused upgrade and a frame. The status is the code's own when the code is
 * an HTTP status of the same meaning, else the kind's usual one.
 */
export function atConnect(
  kind: KindName,
  summary: string,
  words: string,
  code: string | number,
  facts: PageFacts,
): { readonly status: number; readonly only: boolean; readonly from: string } | undefined {
  if (facts.statusTable) return undefined;
  const usual = STATUS_BY_KIND[kind];
  if (usual === undefined) return undefined;
  const status = typeof code === "number" && code >= 400 && code <= 599 && Math.floor(code / 100) === Math.floor(usual / 100) && code !== 427 ? code : usual;
  const only = (from: string) => ({ status, only: true, from });
  const also = (from: string) => ({ status, only: false, from });
  if (kind === "unauthenticated" && facts.credentialsAtConnect) {
    const missing = /missing|not (?:provided|included|sent|given)|absent|no (?:api )?key/i.exec(words);
    return missing ? only(`a credential "${missing[0]}" is only met at the upgrade`) : also("credentials are sent with the upgrade");
  }
  const place = /\bip\b|whitelist|allowlist|(?:source|client) address|region/i.exec(words);
  if (kind === "permission-denied" && place) return only(`"${place[0]}" is checked at the upgrade`);
  const endpoint = /endpoint|\burl\b|\bpath\b/i.exec(words);
  if (kind === "not-found" && endpoint) return only(`a missing "${endpoint[0]}" refuses the upgrade`);
  if (kind === "connection-limit") return only("a connection limit is met when connecting");
  const origin = /origin|\bcdn\b|gateway|proxy/i.exec(words);
  if (kind === "upstream-timeout" && origin) return only(`"${origin[0]}" answers the upgrade`);
  if (kind === "internal" || kind === "service-unavailable")
    return also(`a ${kind === "internal" ? "server fault" : "service outage"} can refuse the upgrade too`);
  // A plain rate limit, not one on requests or messages, holds for connecting too.
  if ((kind === "rate-limited" || kind === "quota-exhausted") && !/request|message|frequency|per (?:second|minute)/i.test(summary))
    return also(`a ${kind === "rate-limited" ? "rate limit" : "quota"} holds for connecting too`);
  return undefined;
}

/** A close a paragraph describes without a code of its own ("closes with close code `X` and reason `"Y"`"). */
export interface ProseClose {
  readonly code: number;
  readonly reason?: string;
  readonly heading: string;
  readonly sentence: string;
}

export function proseCloses(prose: readonly DocProse[]): ProseClose[] {
  const found: ProseClose[] = [];
  for (const { heading, text: raw } of prose) {
    const text = raw.replace(/\s+/g, " ");
    for (const sentence of text.split(/(?<=\.)\s+(?=[A-Z])/)) {
      const close = /clos(?:e|es|ed|ing)\b[^.]*?\bwith (?:websocket )?close code `?([\w ]+?)`?(?: and (?:close )?reason `?"([^"]+)"`?)?[\s.,]/i.exec(
        `${sentence} `,
      );
      const code = close ? closeCodeOf(close[1] as string) : undefined;
      if (close && code !== undefined) found.push({ code, ...(close[2] && { reason: close[2] }), heading, sentence: sentence.trim() });
    }
  }
  return found;
}
