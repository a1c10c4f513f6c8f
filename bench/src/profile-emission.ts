/*
 * Profiles the server's error-frame emission path: run with `node --cpu-prof --import tsx
 * src/profile-emission.ts`, then read the .cpuprofile (self time by function). The sink is another
 * process, as in the benchmark.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { TooManyRequestsError, collective2 } from "@ws-errors/core/catalogs/collective2";
import { WsErrorServer, type ServerConnection } from "@ws-errors/node";

const N = Number(process.argv[2] ?? 400_000);
const http = createServer();
const error = new TooManyRequestsError();
let done: () => void;
const finished = new Promise<void>((r) => (done = r));
new WsErrorServer({
  codec: collective2,
  server: http,
  onConnection: (connection: ServerConnection) =>
    void (async () => {
      const t0 = performance.now();
      for (let i = 0; i < N; i++) {
        connection.sendError(error, { requestId: "r-1" });
        if (connection.socket.bufferedAmount > 1 << 20) await new Promise((r) => setImmediate(r));
      }
      await connection.send({});
      console.log(`${Math.round((N * 1000) / (performance.now() - t0))} frames/s`);
      done();
    })(),
});
await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
const peer = fileURLToPath(new URL("./peer.ts", import.meta.url));
spawn(process.execPath, ["--import", "tsx", peer, "sink", `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`, String(N + 1)], { stdio: "inherit" });
await finished;
process.exit(0);
