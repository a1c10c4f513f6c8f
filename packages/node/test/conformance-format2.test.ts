import type { Codec, WsError } from "@ws-errors/core";
import { beacon } from "../../../codegen/test/catalogs/generated/beacon";
import { ledger } from "../../../codegen/test/catalogs/generated/ledger";
import { murmur } from "../../../codegen/test/catalogs/generated/murmur";
import { relay } from "../../../codegen/test/catalogs/generated/relay";
import { switchboard } from "../../../codegen/test/catalogs/generated/switchboard";
import { courier } from "../../../codegen/test/catalogs/generated/courier";
import { semaphore } from "../../../codegen/test/catalogs/generated/semaphore";
import { sluice } from "../../../codegen/test/catalogs/generated/sluice";
import { quarry } from "../../../codegen/test/catalogs/generated/quarry";
import { createFakeServer } from "../src/index";
import { conformanceSuite } from "./conformance";

/* The catalog format's test catalogs (codegen/test/catalogs): each capability of format 2, server to client. */
const codecs = { beacon, courier, ledger, murmur, quarry, relay, semaphore, sluice, switchboard } as unknown as Record<string, Codec<WsError>>;

conformanceSuite("format 2 test catalogs through @ws-errors/node", codecs, async () => {
  const fake = await createFakeServer(Object.values(codecs));
  return { url: (codec) => fake.urlFor(codec), close: () => fake.close() };
});
