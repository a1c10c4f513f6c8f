import type { Codec, WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { infoway } from "@ws-errors/core/catalogs/infoway";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { tickdbLegacy } from "@ws-errors/core/catalogs/tickdb-legacy";
import { createFakeServer } from "../src/index";
import { conformanceSuite } from "./conformance";

const codecs = { collective2, "esca-rates": escaRates, infoway, tickdb, "tickdb-legacy": tickdbLegacy } as unknown as Record<string, Codec<WsError>>;

conformanceSuite("@ws-errors/node server and client", codecs, async () => {
  const fake = await createFakeServer(Object.values(codecs));
  return { url: (codec) => fake.urlFor(codec), close: () => fake.close() };
});
