import type { Refusal } from "../engine";
import type { IncomingHttpHeaders } from "../server-connection";

/*
 * What every Fetch-API runtime (Bun, Deno, workerd, crossws) shares: the upgrade request's head as
 * the engine reads it, and the catalog's refusal as a `Response`. Only the socket differs.
 */

/** The head of a Fetch `Request` as the engine and policies read it, with the request itself. */
export interface FetchUpgradeRequest {
  /** Path and query, as Node's `request.url` is. */
  readonly url: string;
  readonly method: string;
  /** Lower-case names, as Node has them (`headers.origin`, `headers["x-api-key"]`). */
  readonly headers: IncomingHttpHeaders;
  /** The runtime's own request, for `authenticate` and your own checks. */
  readonly request: Request;
}

/**
 * The engine's view of a Fetch request.
 *
 * @example
 * ```ts
 * fetchHead(new Request("http://x/v1?k=1", { headers: { "X-Api-Key": "k" } })).headers["x-api-key"]; // "k"
 * ```
 */
export function fetchHead(request: Request): FetchUpgradeRequest {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  // Headers iterate with lower-case names, repeated ones joined as one value.
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { url: url.pathname + url.search, method: request.method, headers, request };
}

/** Whether a request asks for a WebSocket upgrade. */
export function isUpgrade(request: Request): boolean {
  return request.method === "GET" && request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/** A refusal's HTTP answer as a `Response`: the catalog's status, headers and body. */
export function refusalResponse(refusal: Extract<Refusal, { readonly status: number }>): Response {
  return new Response(refusal.body, { status: refusal.status, headers: refusal.headers });
}

/** What a plain HTTP request to a WebSocket route is answered with. */
export function upgradeRequired(): Response {
  return new Response("Upgrade Required", { status: 426, headers: { upgrade: "websocket", "content-type": "text/plain" } });
}
