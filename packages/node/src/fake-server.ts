import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Codec, DetailType, WsError, WsErrorInit } from "@ws-errors/core";
import type { ServerConnection } from "./server-connection";
import { WsErrorServer } from "./server";

export interface FakeServer {
  /** `ws://127.0.0.1:PORT` */
  readonly url: string;
  /** The URL of one catalog's endpoint: `ws://127.0.0.1:PORT/<catalog name>`. */
  urlFor(codec: Codec<WsError>): string;
  close(): Promise<void>;
}

const SAMPLES: Record<DetailType, unknown> = { string: "sample", integer: 7, number: 1.5, boolean: true, "string[]": ["sample"], object: {}, "object[]": [] };

/* Every detail filled with a sample of its type, so messages and reasons built from templates carry real values. */
function make(codec: Codec<WsError>, id: unknown, init: WsErrorInit = {}): WsError {
  const ctor = typeof id === "string" ? codec.classes[id] : undefined;
  const entry = typeof id === "string" ? codec.catalog.errors.find((e) => e.id === id) : undefined;
  if (!ctor || !entry) throw new Error(`no entry ${JSON.stringify(id)} in catalog ${codec.catalog.name}`);
  const details = Object.fromEntries(Object.entries(entry.details).map(([name, detail]) => [name, SAMPLES[detail.type]]));
  return new ctor({ details, ...init });
}

/** The fake endpoint of one catalog, on a WsErrorServer like any real one. */
function fakeEndpoint(codec: Codec<WsError>): WsErrorServer {
  const emitNow = async (connection: ServerConnection, id: unknown, layer: unknown) => {
    const error = make(codec, id);
    if (layer === "close") connection.closeWith(error);
    else await connection.sendError(error);
  };
  return new WsErrorServer({
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
  });
}

/**
 * A server that, given only catalogs, emits any of their errors on any layer on request, for
 * contract tests of your own client. Each catalog is served at `/<catalog name>`:
 * - `?emit=<entry id>&layer=upgrade` rejects the upgrade as the entry says (`&browser=1` for the
 *   browser fallback); `?emit=<entry id>&layer=frame|close` sends it once the connection opens;
 * - a message `{"$emit": "<entry id>"}` (in a `headers` grammar, a frame with a `$emit` header) is
 *   answered with that error, echoing the message's
 *   correlation fields; with `"scope": "connection"` it is sent as a connection-scope error, with
 *   `"layer": "close"` the connection is closed with it; any other message is echoed back.
 *
 * @example
 * ```ts
 * const fake = await createFakeServer([collective2]);
 * const client = connect(`${fake.urlFor(collective2)}?emit=unauthorized&layer=upgrade`, { codec: collective2 });
 * client.on("catalog-error", (error) => assert(error instanceof UnauthorizedError));
 * ```
 */
export async function createFakeServer(codecs: readonly Codec<WsError>[], options: { port?: number; host?: string } = {}): Promise<FakeServer> {
  const endpoints = new Map(codecs.map((codec) => [`/${codec.catalog.name}`, fakeEndpoint(codec)]));
  const http: Server = createServer((_req, res) => res.writeHead(426).end());
  http.on("upgrade", (request, socket, head) => {
    const endpoint = endpoints.get(new URL(request.url ?? "/", "http://x").pathname);
    if (endpoint) void endpoint.handleUpgrade(request, socket, head);
    else socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, host, resolve));
  const url = `ws://${host}:${(http.address() as AddressInfo).port}`;
  return {
    url,
    urlFor: (codec) => `${url}/${codec.catalog.name}`,
    async close() {
      await Promise.all([...endpoints.values()].map((endpoint) => endpoint.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
