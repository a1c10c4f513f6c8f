import type { Codec, DetailType, WsError, WsErrorInit } from "@ws-errors/core";
import type { ServerEngineOptions } from "./engine";
import type { HttpRequestLike, ServerConnection } from "./server-connection";

const SAMPLES: Record<DetailType, unknown> = { string: "sample", integer: 7, number: 1.5, boolean: true, "string[]": ["sample"], object: {}, "object[]": [] };

/* Every detail filled with a sample of its type, so messages and reasons built from templates carry real values. */
function make(codec: Codec<WsError>, id: unknown, init: WsErrorInit = {}): WsError {
  const ctor = typeof id === "string" ? codec.classes[id] : undefined;
  const entry = typeof id === "string" ? codec.catalog.errors.find((e) => e.id === id) : undefined;
  if (!ctor || !entry) throw new Error(`no entry ${JSON.stringify(id)} in catalog ${codec.catalog.name}`);
  const details = Object.fromEntries(Object.entries(entry.details).map(([name, detail]) => [name, SAMPLES[detail.type]]));
  return new ctor({ details, ...init });
}

/**
 * The options of a server that, given only its catalog, emits any of its errors on any layer on
 * request, for contract tests of clients (the fake server's contract, on every runtime):
 * - `?emit=<entry id>&layer=upgrade` rejects the upgrade as the entry says (`&browser=1` for the
 *   browser fallback); `?emit=<entry id>&layer=frame|close` sends it once the connection opens;
 * - a message `{"$emit": "<entry id>"}` (in a `headers` grammar, a frame with a `$emit` header) is
 *   answered with that error, echoing the message's correlation fields; with `"scope":
 *   "connection"` it is sent as a connection-scope error, with `"layer": "close"` the connection is
 *   closed with it; any other message is echoed back.
 *
 * @example
 * ```ts
 * import { fakeServerOptions } from "@ws-errors/server";
 * import { BunErrorServer } from "@ws-errors/server/bun";
 *
 * const fake = new BunErrorServer(fakeServerOptions(collective2));
 * Bun.serve({ port: 0, fetch: fake.fetch, websocket: fake.websocket });
 * ```
 */
export function fakeServerOptions<R extends HttpRequestLike>(codec: Codec<WsError>): ServerEngineOptions<R> {
  const emitNow = async (connection: ServerConnection, id: unknown, layer: unknown) => {
    const error = make(codec, id);
    if (layer === "close") connection.closeWith(error);
    else await connection.sendError(error);
  };
  return {
    codec,
    browserFallback: (request) => new URL(request.url ?? "/", "http://x").searchParams.get("browser") === "1",
    authenticate({ url }) {
      if (url.searchParams.get("layer") === "upgrade") throw make(codec, url.searchParams.get("emit"));
      return { key: "fake" };
    },
    onConnection(connection) {
      const url = new URL(connection.request.url ?? "/", "http://x");
      if (url.searchParams.has("emit")) void emitNow(connection, url.searchParams.get("emit"), url.searchParams.get("layer"));
    },
    async onMessage(message, connection) {
      // The control fields at the top of the message, or (in a text protocol's grammar) in its headers.
      const object = (value: unknown) => (typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined);
      const top = object(message.data);
      const data = top && "$emit" in top ? top : object(top?.headers);
      if (!data || !("$emit" in data)) return message.data;
      if (data.layer === "close" || data.scope === "connection") return void (await emitNow(connection, data.$emit, data.layer));
      // Thrown from the handler, as an application's would be: the server adds the correlation.
      throw make(codec, data.$emit);
    },
    logger: { error: () => undefined, warn: () => undefined },
  };
}
