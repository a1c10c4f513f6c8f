import { conformanceSuite } from "../../packages/node/test/conformance";
import { codecs } from "../fixtures/catalogs";
import { binary, fixture, startRuntime } from "./runtime";

// Deno reads the built packages (dist): its loader does not take the sources' extensionless imports.
conformanceSuite("Deno.serve (DenoErrorServer) and the Node client", codecs, async () => {
  const deno = await startRuntime(binary("deno"), ["run", "--allow-net", "--allow-read", "--allow-env", "--allow-sys", fixture("deno-fake.ts")]);
  return { url: (codec) => `ws://127.0.0.1:${deno.port}/${codec.catalog.name}`, close: () => deno.stop() };
});
