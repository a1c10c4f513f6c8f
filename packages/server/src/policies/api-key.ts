import type { WsError, WsErrorClass } from "@ws-errors/core";
import { choiceProblems, errorOfKind, mergeProblems as merge } from "../catalog";
import type { ServerPolicy, UpgradeContext } from "../engine";

/** Where a key is read from on the upgrade request. */
export type KeySource = { readonly header: string } | { readonly bearer: true } | { readonly query: string };

export interface ApiKeyOptions {
  /** One place or several, tried in order. */
  readonly from: KeySource | readonly KeySource[];
  /** Whether a key is valid; may be async (a database look-up). */
  readonly verify: (key: string) => boolean | Promise<boolean>;
  /** Answer for a missing key; default: the catalog's first unauthenticated entry with an upgrade layer. */
  readonly missing?: WsErrorClass;
  /** Answer for a key `verify` refuses; default as `missing`. */
  readonly invalid?: WsErrorClass;
}

/** The key an upgrade request carries, from the first source that has one. */
export function readKey(request: UpgradeContext["request"], url: URL, from: ApiKeyOptions["from"]): string | undefined {
  const sources = Array.isArray(from) ? (from as readonly KeySource[]) : [from as KeySource];
  for (const source of sources) {
    let key: string | undefined;
    if ("header" in source) {
      const value = request.headers[source.header.toLowerCase()];
      key = Array.isArray(value) ? value[0] : value;
    } else if ("bearer" in source) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(String(request.headers.authorization ?? ""));
      key = match?.[1];
    } else {
      key = url.searchParams.get(source.query) ?? undefined;
    }
    if (key) return key;
  }
  return undefined;
}

/**
 * Rejects upgrades without a valid API key (from a header, a bearer token or a query parameter)
 * with the catalog's unauthenticated entry, and makes the key the connection's principal, so caps
 * and re-checks count per key. Keys are redacted from the server's logs.
 *
 * @example
 * ```ts
 * apiKey({ from: [{ bearer: true }, { query: "api_key" }], verify: (key) => keys.has(key) })
 * ```
 */
export function apiKey(options: ApiKeyOptions): ServerPolicy {
  const make = (ctor: WsErrorClass | undefined, context: UpgradeContext): WsError =>
    ctor ? new ctor() : (errorOfKind(context.server.codec, ["unauthenticated", "permission-denied"], "upgrade") as WsError);
  return {
    name: "api-key",
    check: (codec) => merge(choiceProblems(codec, "api-key", options.missing), choiceProblems(codec, "api-key", options.invalid ?? options.missing)),
    async upgrade(context) {
      const key = readKey(context.request, context.url, options.from);
      if (!key) throw make(options.missing, context);
      context.server.rememberSecret(key);
      if (!(await options.verify(key))) throw make(options.invalid ?? options.missing, context);
      // A literal when there is nothing to keep: a spread's object reserves room for more fields.
      context.principal = context.principal ? { ...context.principal, key } : { key };
    },
  };
}
