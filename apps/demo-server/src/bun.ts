/*
 * The demo APIs on Bun.serve, run by Bun (`bun src/bun.ts`): the same endpoints as on Node, each on
 * a BunErrorServer. Prints `PORT <n>`; stops when stdin ends.
 */
import { memoryState } from "@ws-errors/server";
import { BunErrorServer, bunWebSocket } from "@ws-errors/server/bun";
import { demoEndpoints, demoHttp } from "./demo";
import { FAST_TIMING, REAL_TIMING } from "./keys";

const state = memoryState();
const endpoints = demoEndpoints(process.env.DEMO_TIMING === "fast" ? FAST_TIMING : REAL_TIMING, state, (options) => new BunErrorServer(options));
const byPath = new Map(endpoints.map((e) => [e.path, e.server as BunErrorServer]));
const server = Bun.serve({
  port: Number(process.env.PORT ?? 8080),
  hostname: process.env.HOST ?? "127.0.0.1",
  async fetch(request, bun) {
    const endpoint = byPath.get(new URL(request.url).pathname);
    if (endpoint && request.headers.get("upgrade")?.toLowerCase() === "websocket") return endpoint.upgrade(request, bun);
    return demoHttp(request, endpoints, state);
  },
  websocket: bunWebSocket,
});
console.log(`PORT ${server.port}`);
process.stdin.on("end", async () => {
  await Promise.all(endpoints.map((e) => e.dispose()));
  server.stop(true);
  process.exit(0);
});
process.stdin.resume();
