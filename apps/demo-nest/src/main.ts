import { startNestDemo } from "./app";

const port = Number(process.env.PORT ?? 8081);
const app = await startNestDemo(port, process.env.HOST ?? "127.0.0.1");
console.log(`ws-errors NestJS demo on ws://127.0.0.1:${port}: Collective2 at /collective2/ws, Esca at /esca/v1/rates (keys: demo-key, revoked-key)`);
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
