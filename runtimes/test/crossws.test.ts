import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fakeServerOptions } from "@ws-errors/server";
import { CrosswsErrorServer, type FetchUpgradeRequest } from "@ws-errors/server/crossws";
import crossws from "crossws/adapters/node";
import { conformanceSuite } from "../../packages/node/test/conformance";
import { codecs } from "../fixtures/catalogs";

// crossws's own Node adapter (on ws), with the engine's hooks resolved per catalog's path.
conformanceSuite("crossws hooks (CrosswsErrorServer) on crossws's Node adapter, and the Node client", codecs, async () => {
  const endpoints = new Map(
    Object.values(codecs).map((codec) => [`/${codec.catalog.name}`, new CrosswsErrorServer(fakeServerOptions<FetchUpgradeRequest>(codec))]),
  );
  const ws = crossws({ resolve: (request) => endpoints.get(new URL(request.url).pathname)?.hooks ?? {} });
  const http = createServer((_request, response) => response.writeHead(426).end());
  http.on("upgrade", (request, socket, head) => ws.handleUpgrade(request, socket, head));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: (codec) => `ws://127.0.0.1:${port}/${codec.catalog.name}`,
    async close() {
      await Promise.all([...endpoints.values()].map((endpoint) => endpoint.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
});
