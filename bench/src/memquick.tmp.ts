import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
const SERVER = fileURLToPath(new URL("./memory-server.ts", import.meta.url));
async function run(kind: string, n: number) {
  const child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", SERVER, kind], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((r) => lines.once("line", r));
  const port = Number(await next());
  const url = `ws://127.0.0.1:${port}/?key=good`;
  const measure = async () => { const a = next(); child.stdin!.write("measure\n"); return JSON.parse(await a).heap as number; };
  const snap = async (f: string) => { const a = next(); child.stdin!.write(`snapshot ${f}\n`); await a; };
  const open = async (k: number) => { const s: WebSocket[] = []; for (let i = 0; i < k; i += 50) s.push(...await Promise.all(Array.from({ length: Math.min(50, k - i) }, () => new Promise<WebSocket>((res, rej) => { const w = new WebSocket(url); w.once("open", () => res(w)); w.on("error", rej); })))); return s; };
  const close = (s: WebSocket[]) => Promise.all(s.map((w) => new Promise<void>((r) => { w.once("close", () => r()); w.close(); })));
  await close(await open(200)); await new Promise((r) => setTimeout(r, 300));
  if (process.env.SNAP) await snap(`/tmp/${kind}-before.heapsnapshot`);
  const before = await measure();
  const s = await open(n); await new Promise((r) => setTimeout(r, 300));
  const after = await measure();
  if (process.env.SNAP) await snap(`/tmp/${kind}-after.heapsnapshot`);
  await close(s); child.kill();
  return (after - before) / n;
}
const n = Number(process.argv[2] ?? 2000);
for (const kind of (process.argv[3] ?? "raw,ours-bare,ours").split(",")) console.log(kind, Math.round(await run(kind, n)));
