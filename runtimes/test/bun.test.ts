import { conformanceSuite } from "../../packages/node/test/conformance";
import { codecs } from "../fixtures/catalogs";
import { binary, fixture, startRuntime } from "./runtime";

conformanceSuite("Bun.serve (BunErrorServer) and the Node client", codecs, async () => {
  const bun = await startRuntime(binary("bun"), ["--conditions=ws-errors-source", fixture("bun-fake.ts")]);
  return { url: (codec) => `ws://127.0.0.1:${bun.port}/${codec.catalog.name}`, close: () => bun.stop() };
});
