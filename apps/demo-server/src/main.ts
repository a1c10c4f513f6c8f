import { startDemoServers } from "./index";

const port = Number(process.env.PORT ?? 8080);
const handshakeTimeoutMs = process.env.HANDSHAKE_TIMEOUT_MS ? Number(process.env.HANDSHAKE_TIMEOUT_MS) : undefined;
const demo = await startDemoServers({ port, host: process.env.HOST ?? "127.0.0.1", ...(handshakeTimeoutMs ? { handshakeTimeoutMs } : {}) });
console.log(`ws-errors demo servers on ${demo.url} (keys: demo-key; revoked-key is revoked 5 s after connecting)`);
for (const endpoint of demo.endpoints) console.log(`  ${endpoint.name.padEnd(14)} ${demo.url}${endpoint.path}`);
const stop = async () => {
  await demo.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
