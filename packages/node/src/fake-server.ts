import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Codec, WsError } from "@ws-errors/core";
import { fakeServerOptions } from "@ws-errors/server";
import { WsErrorServer } from "./server";

export interface FakeServer {
  /** `ws://127.0.0.1:PORT` */
  readonly url: string;
  /** The URL of one catalog's endpoint: `ws://127.0.0.1:PORT/<catalog name>`. */
  urlFor(codec: Codec<WsError>): string;
  close(): Promise<void>;
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
  const endpoints = new Map(codecs.map((codec) => [`/${codec.catalog.name}`, new WsErrorServer(fakeServerOptions(codec))]));
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
