/*
 * The demo APIs on Deno.serve, run by Deno (bundled first: see runtime-process.ts): the same
 * endpoints as on Node, each on a DenoErrorServer. Prints `PORT <n>`; stops when stdin ends.
 */
import { memoryState } from "@ws-errors/server";
import { DenoErrorServer } from "@ws-errors/server/deno";
import { demoEndpoints, demoHttp } from "./demo";
import { FAST_TIMING, REAL_TIMING } from "./keys";

const state = memoryState();
const endpoints = demoEndpoints(Deno.env.get("DEMO_TIMING") === "fast" ? FAST_TIMING : REAL_TIMING, state, (options) => new DenoErrorServer(options));
const byPath = new Map(endpoints.map((e) => [e.path, e.server as DenoErrorServer]));
const server = Deno.serve(
  { port: Number(Deno.env.get("PORT") ?? 8080), hostname: Deno.env.get("HOST") ?? "127.0.0.1", onListen: ({ port }) => console.log(`PORT ${port}`) },
  (request, info) => {
    const endpoint = byPath.get(new URL(request.url).pathname);
    if (endpoint && request.headers.get("upgrade")?.toLowerCase() === "websocket") return endpoint.upgrade(request, info);
    return demoHttp(request, endpoints, state);
  },
);
for await (const _ of Deno.stdin.readable) {
  // Nothing is read; the loop ends with stdin.
}
await Promise.all(endpoints.map((e) => e.dispose()));
await server.shutdown();
Deno.exit(0);
