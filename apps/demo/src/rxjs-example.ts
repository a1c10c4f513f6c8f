import { DepthUnavailableError, tickdb } from "@ws-errors/core/catalogs/tickdb";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { ofType, retryByCatalog, wsErrorsConnection } from "@ws-errors/rxjs";
import { catchError, firstValueFrom, of, take, toArray } from "rxjs";
import { WebSocket } from "ws";

const base = process.env.DEMO_URL ?? "ws://127.0.0.1:8080"; // `pnpm demo:server`
const createSocket = (url: string) => new WebSocket(url); // in a browser, leave createSocket out

// TickDB: the key goes in the query string.
const market = wsErrorsConnection(`${base}/tickdb/v1/realtime?api_key=demo-key`, { codec: tickdb, createSocket });
const warnings = market.errors$.pipe(ofType("rate-limited", "quota-exhausted")).subscribe((e) => console.log("slow down:", e.message));
const ticks = firstValueFrom(market.messages$.pipe(take(3), toArray()));

const depth = await firstValueFrom(
  market.request({ cmd: "subscribe", data: { channel: "depth", symbols: ["AAPL.US"] } }).pipe(
    retryByCatalog(), // retries what the catalog says to retry; depth-unavailable says stop
    catchError((error: unknown) => of(error instanceof DepthUnavailableError ? `depth: ${error.code}, ${error.retry.directive}: use the HTTP API` : error)),
  ),
);
console.log(depth);
await firstValueFrom(market.request({ cmd: "subscribe", data: { channel: "ticker", symbols: ["AAPL.US"] } }));
console.log("ticks:", (await ticks).map((tick) => (tick as { data: { last_price: string } }).data.last_price).join(", "));
warnings.unsubscribe();

// Collective2: a wrong bearer key is refused before the upgrade, and the catalog says stop.
const signals = wsErrorsConnection(`${base}/collective2/ws`, {
  codec: collective2,
  createSocket: (url) => new WebSocket(url, { headers: { authorization: "Bearer wrong-key" } }),
});
signals.messages$.subscribe({ error: (e) => console.log("signals:", e.name, e.wire?.status, e.retry.directive) });
