import { startDemoServers, FAST_TIMING, DEMO_KEY, REVOKED_KEY, STRATEGY_ID } from "@ws-errors/demo-server";
import { startRuntimeDemo } from "@ws-errors/demo-server/runtime";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { infoway } from "@ws-errors/core/catalogs/infoway";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import type { Codec, WsError } from "@ws-errors/core";
import { connect, type ConnectOptions, type Decision, type WsErrorClient } from "@ws-errors/node";

/*
 * Starts the demo servers (with fast clocks, so heartbeats and revocations happen in seconds) and
 * walks through each seed API's errors on all three layers with the @ws-errors/node client,
 * printing the typed error, its kind, and what the catalog's policy made the client do.
 */
// DEMO_RUNTIME=bun|deno (`pnpm demo:bun`, `pnpm demo:deno`): the same APIs served from Bun or Deno
// by the same engine, the walkthrough unchanged.
const runtime = process.env.DEMO_RUNTIME;
if (runtime !== undefined && runtime !== "bun" && runtime !== "deno") throw new Error(`DEMO_RUNTIME must be bun or deno, not ${runtime}`);
const demo = runtime
  ? await startRuntimeDemo(runtime, { DEMO_TIMING: "fast" })
  : await startDemoServers({ port: Number(process.env.PORT ?? 0), timing: FAST_TIMING });
const clients: WsErrorClient[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function describe(decision: Decision): string {
  switch (decision.action) {
    case "stop":
      // A command's answer: only that request fails; the connection goes on.
      return decision.error.layer === "frame" && (decision.error.requestId !== undefined || decision.error.command !== undefined)
        ? "the request fails; the connection stays open"
        : "stopped";
    case "none":
      return "noted (the connection decides when it closes)";
    case "retry-later":
      return `waits ${decision.delayMs} ms, then retries the message`;
    case "reconnect":
      return `waits ${decision.delayMs} ms, then reconnects`;
    case "resume":
      return `waits ${decision.delayMs} ms, then reconnects and resumes`;
    case "refresh-credentials":
      return "refreshes credentials, then reconnects";
    case "free-connection":
      return `waits ${decision.delayMs} ms for a free connection`;
    case "reauthenticate":
      return "authenticates again on the same connection";
    case "resubscribe":
      return "subscribes again on the same connection";
  }
}

function line(layer: string, error: WsError, outcome: string): void {
  // Several errors in one frame answer one request: each is printed with the field it names.
  const where = `${error.requestId !== undefined ? ` req ${String(error.requestId)}` : ""}${error.field ? ` field ${error.field}` : ""}`;
  console.log(`  ${layer.padEnd(7)} ${error.name} (${error.kind}) code ${JSON.stringify(error.code)}${where} → ${outcome}`);
}

/** Opens a client that prints every error with the decision taken on it. */
function open<E extends WsError>(path: string, codec: Codec<E>, options: Omit<ConnectOptions<E>, "codec"> = {}): WsErrorClient<E> {
  const client = connect(`${demo.url}${path}`, { codec, reconnect: { initialMs: 100, maxMs: 400 }, requestTimeoutMs: 3000, ...options });
  clients.push(client as unknown as WsErrorClient);
  // One frame with several errors is one decision: each of its errors is printed with it.
  client.on("decision", (decision: Decision) => {
    for (const error of decision.error.errors ?? [decision.error]) line(error.layer, error, describe({ ...decision, error }));
  });
  client.on("resumed", ({ from }: { from: unknown }) => console.log(`          … reconnected; resuming from seq ${String(from)}`));
  return client;
}

const opened = (client: WsErrorClient<WsError>) => new Promise<void>((resolve) => (client.state === "open" ? resolve() : client.once("open", () => resolve())));
const stopped = (client: WsErrorClient<WsError>) =>
  new Promise<void>((resolve) => (client.state === "closed" ? resolve() : client.once("stopped", () => resolve())));
const reopened = (client: WsErrorClient<WsError>) => new Promise<void>((resolve) => client.once("reconnecting", () => client.once("open", () => resolve())));
const quietly = (promise: Promise<unknown>) => promise.catch(() => undefined);

console.log(`ws-errors demo: servers on ${demo.url}${runtime ? ` (${runtime === "bun" ? "Bun.serve" : "Deno.serve"})` : ""}\n`);

console.log("Infoway (/infoway/ws)");
await stopped(open("/infoway/ws", infoway, { ws: { headers: { apikey: "wrong" } } }) as WsErrorClient);
{
  const client = open("/infoway/ws?apiKey=demo-key", infoway);
  await opened(client as WsErrorClient);
  await quietly(client.request({ action: "subscribe", data: {} }));
  await quietly(client.request({ action: "subscribe", data: { codes: Array.from({ length: 11 }, (_, i) => `S${i}.US`) } }));
  console.log("          (no heartbeat sent…)");
  await reopened(client as WsErrorClient);
  console.log("          … reconnected");
  client.close();
}

console.log("\nTickDB (/tickdb/v1/realtime)");
await stopped(open("/tickdb/v1/realtime", tickdb) as WsErrorClient);
{
  const client = open(`/tickdb/v1/realtime?api_key=${DEMO_KEY}`, tickdb);
  await opened(client as WsErrorClient);
  await quietly(client.request({ cmd: "subscribe", data: { channel: "depth", symbols: ["AAPL.US"] } }));
  await quietly(client.request({ cmd: "subscribe", data: { channel: "ticker", symbols: ["NOPE.US"] } }));
  await quietly(client.request({ cmd: "history", data: {} }));
  const ack = await client.request<{ data: { symbols: string[] } }>({ cmd: "subscribe", data: { channel: "ticker", symbols: ["AAPL.US"] } });
  const tick = await new Promise<{ data: { symbol: string; last_price: string } }>((r) => client.once("message", r));
  console.log(`  ok      subscribed to ${ack.data.symbols.join(", ")}; ticker ${tick.data.symbol} ${tick.data.last_price}`);
  client.close();
}

console.log("\nCollective2 (/collective2/ws)");
await stopped(open("/collective2/ws", collective2, { ws: { headers: { authorization: "Bearer INVALID_KEY" } } }) as WsErrorClient);
{
  const auth = { headers: { authorization: `Bearer ${DEMO_KEY}` } };
  const subscribe = (from?: number) => ({
    msg_type: "subscription.request",
    timestamp: new Date().toISOString(),
    payload: { action: "subscribe", channel: "strategy.signal", strategy_id: STRATEGY_ID, ...(from !== undefined && { resume_from: String(from) }) },
  });
  const client = open("/collective2/ws", collective2, {
    ws: auth,
    resume: (seq, c) => c.send(subscribe(Number(seq))),
  });
  await opened(client as WsErrorClient);
  await quietly(client.request({ msg_type: "subscription.request", payload: { action: "subscribe", channel: "strategy.signal", strategy_id: 1 } }));
  await quietly(client.request({ msg_type: "subscription.request", payload: {} }));
  await client.request(subscribe());
  const seqs: number[] = [];
  client.on("message", (m: { msg_type: string; seq_id?: number }) => m.msg_type === "strategy.signal" && seqs.push(m.seq_id as number));
  console.log("          (signals flowing; no heartbeat.ack sent…)");
  await reopened(client as WsErrorClient);
  await sleep(400);
  const gaps = seqs.slice(1).filter((s, i) => s !== (seqs[i] as number) + 1).length;
  console.log(`  ok      ${seqs.length} signals, seq ${seqs[0]}..${seqs.at(-1)}, ${gaps} gaps, ${seqs.length - new Set(seqs).size} duplicates`);
  client.close();

  const many = Array.from({ length: 11 }, () => open("/collective2/ws", collective2, { ws: auth, reconnect: false }));
  await sleep(500);
  console.log(`  ok      ${many.filter((c) => c.state === "open").length} of 11 connections open (cap 10 per key)`);
  for (const c of many) c.close();
}

console.log("\nEsca FX rates (/esca/v1/rates)");
{
  const client = open("/esca/v1/rates", escaRates, { ws: { headers: { "x-api-key": DEMO_KEY } } });
  await opened(client as WsErrorClient);
  await quietly(client.request({ method: "subscribe", pairs: ["XAU/USD"] }));
  await quietly(client.request({ method: "frobnicate" }));
  client.send("{not json");
  await sleep(100);
  const ack = await client.request<{ pairs: string[] }>({ method: "subscribe", pairs: ["EUR/USD"] });
  console.log(`  ok      subscribed to ${ack.pairs.join(", ")}`);
  client.close();

  const revoked = open("/esca/v1/rates", escaRates, {
    ws: { headers: { "x-api-key": REVOKED_KEY } },
    refreshCredentials: async () => {
      console.log("          … refreshing credentials: switching to demo-key");
      return { ws: { headers: { "x-api-key": DEMO_KEY } } };
    },
  });
  await opened(revoked as WsErrorClient);
  console.log("          (revoked-key is revoked 5 s after connecting…)");
  await reopened(revoked as WsErrorClient);
  console.log("          … reconnected with the new key");
  revoked.close();

  const five = Array.from({ length: 5 }, () => open("/esca/v1/rates", escaRates, { ws: { headers: { "x-api-key": DEMO_KEY } }, reconnect: false }));
  await Promise.all(five.map((c) => opened(c as WsErrorClient)));
  await stopped(open("/esca/v1/rates", escaRates, { ws: { headers: { "x-api-key": DEMO_KEY } }, reconnect: false }) as WsErrorClient);
  for (const c of five) c.close();
}

console.log("\nThe RxJS way (@ws-errors/rxjs, apps/demo/src/rxjs-example.ts, as in the README)");
process.env.DEMO_URL = demo.url;
await import("./rxjs-example");
await sleep(200);

for (const client of clients) client.close();
await demo.close();
console.log("\nEvery error above was decoded by a generated catalog module; the reference pages are in packages/core/docs/.");
process.exit(0);
