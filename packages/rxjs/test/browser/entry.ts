// Runs in Chromium: the adapter and the catalogs exactly as an app bundles them.
// Decoders, as a browser app imports them (the encoders stay out of its bundle); Esca through its full codec.
import { collective2Decoder } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { DepthUnavailableError, tickdbDecoder } from "@ws-errors/core/catalogs/tickdb";
import { UnauthenticatedError, type WsError } from "@ws-errors/core";
import { catchError, firstValueFrom, lastValueFrom, of, take, toArray } from "rxjs";
import { ofType, wsErrorsConnection } from "../../src/index";

function describe(error: WsError) {
  return { name: error.name, kind: error.kind, layer: error.layer, closeCode: error.wire?.closeCode, directive: error.retry.directive, message: error.message };
}

async function run(base: string) {
  const results: Record<string, unknown> = { hasNativeWebSocket: typeof WebSocket === "function" };

  // Collective2 wants "Authorization: Bearer": a browser cannot send it, the upgrade is refused,
  // and all a browser could ever see is close 1006, except that the catalog's fallback closes 4401.
  const c2 = wsErrorsConnection(`${base}/collective2/ws`, { codec: collective2Decoder });
  const c2Errors = lastValueFrom(c2.errors$.pipe(toArray()));
  results.c2Messages = await lastValueFrom(c2.messages$).then(
    () => "completed",
    (e: WsError) => describe(e),
  );
  results.c2Errors = (await c2Errors).map(describe);

  // Esca wants X-Api-Key: the same story, with Esca's own fallback (4001 auth_failed).
  const esca = wsErrorsConnection(`${base}/esca/v1/rates`, { codec: escaRates });
  const unauthenticated = firstValueFrom(esca.errors$.pipe(ofType(UnauthenticatedError)));
  results.escaError = describe(await unauthenticated);

  // TickDB takes the key in the query string, which a browser can send.
  const tdb = wsErrorsConnection(`${base}/tickdb/v1/realtime?api_key=demo-key`, { codec: tickdbDecoder });
  // Holding messages$ keeps the socket: a request alone closes it once answered.
  const ticks = firstValueFrom(tdb.messages$.pipe(take(3), toArray()));
  const depth = await firstValueFrom(
    tdb.request({ cmd: "subscribe", data: { channel: "depth", symbols: ["AAPL.US"] } }).pipe(catchError((e: unknown) => of(e))),
  );
  results.depthIsTyped = depth instanceof DepthUnavailableError;
  results.depth = describe(depth as WsError);
  await firstValueFrom(tdb.request({ cmd: "subscribe", data: { channel: "ticker", symbols: ["AAPL.US"] } }));
  results.ticks = (await ticks).map((t) => (t as { data: { symbol: string } }).data.symbol);
  return results;
}

(globalThis as unknown as { runScenarios: typeof run }).runScenarios = run;
