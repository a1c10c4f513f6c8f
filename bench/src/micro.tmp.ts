import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { connect } from "@ws-errors/node";
import { WebSocket, WebSocketServer } from "ws";
import { signal } from "./peer";

const N = 100_000;
const frames = Array.from({ length: N }, (_, i) => Buffer.from(signal(i + 1)));
const wss = new WebSocketServer({ port: 0, host: "127.0.0.1" });
await new Promise((r) => wss.once("listening", r));
const url = `ws://127.0.0.1:${(wss.address() as { port: number }).port}/`;
let sink = 0;
function socketOf(x: unknown): WebSocket { return x as WebSocket; }
async function ours(): Promise<number> {
  const client = connect(url, { codec: collective2, reconnect: false });
  await new Promise((r) => client.once("open", r));
  client.on("message", () => { sink++; });
  const ws = socketOf((client as any).session.socket);
  const t0 = performance.now();
  for (let i = 0; i < N; i++) ws.emit("message", frames[i], false);
  const t = performance.now() - t0;
  client.close();
  return (t * 1e6) / N;
}
async function raw(): Promise<number> {
  const ws = new WebSocket(url);
  await new Promise((r) => ws.once("open", r));
  ws.on("message", (data: Buffer) => { JSON.parse(data.toString()); sink++; });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) ws.emit("message", frames[i], false);
  const t = performance.now() - t0;
  ws.close();
  return (t * 1e6) / N;
}
const o: number[] = [], r: number[] = [];
for (let k = 0; k < 80; k++) { if (k % 2) { o.push(await ours()); r.push(await raw()); } else { r.push(await raw()); o.push(await ours()); } }
const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
const os = o.slice(10), rs = r.slice(10); const d = os.map((x, i) => x - rs[i]!);
console.log(`ours ${med(os).toFixed(1)} ns/msg, raw ${med(rs).toFixed(1)} ns/msg, extra(paired median) ${med(d).toFixed(1)} ns, ratio ${(med(rs) / med(os)).toFixed(3)}`);
wss.close(); process.exit(0);
