/**
 * The request header (with the value `close`) a client sends when it cannot read a refused
 * upgrade's HTTP answer (a standard WebSocket outside browsers: Bun's, Deno's, Node's global), to
 * ask the server to say the refusal with the catalog's browser fallback close instead, as it does
 * for browsers (which send an `Origin` and cannot send headers). The ws-errors clients send it on
 * those runtimes; servers honour it by default.
 *
 * @example
 * ```ts
 * const headers = { [REFUSAL_HINT_HEADER]: "close" }; // new WebSocket(url, { headers }) on Bun, Deno, Node 22
 * ```
 */
export const REFUSAL_HINT_HEADER = "ws-errors-refusal";
