import { spawn, type ChildProcess } from "node:child_process";
import { createInterface, type Interface } from "node:readline";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { median, pairedFigure, type Figure } from "./stats";

const SERVER = fileURLToPath(new URL("./memory-server.ts", import.meta.url));
const ROUNDS = 3;

interface Server {
  readonly url: string;
  measure(): Promise<number>;
  stop(): void;
}

/** A server process (raw `ws`, or ours with every policy on) that reports its heap after full GCs. */
async function startServer(kind: "raw" | "ours"): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, ["--expose-gc", "--import", "tsx", SERVER, kind], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: Interface = createInterface({ input: child.stdout! });
  const next = () => new Promise<string>((resolve) => lines.once("line", resolve));
  const port = Number(await next());
  return {
    url: `ws://127.0.0.1:${port}/?key=good`,
    async measure() {
      const answer = next();
      child.stdin!.write("measure\n");
      return (JSON.parse(await answer) as { heap: number }).heap;
    },
    stop: () => child.kill(),
  };
}

/** Opens `n` connections, 50 at a time (under the 64 pending handshakes a server allows one address), and keeps them open. */
async function openMany(url: string, n: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from(
      { length: Math.min(50, n - i) },
      () =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.once("open", () => resolve(ws));
          ws.on("error", reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

async function closeAll(sockets: readonly WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : (ws.once("close", () => resolve()), ws.close())))),
  );
}

const settle = () => new Promise((r) => setTimeout(r, 300));

/** Heap bytes one idle connection holds on the server: (heap with n open − heap before) / n. */
async function perConnection(kind: "raw" | "ours", n: number): Promise<number> {
  const server = await startServer(kind);
  try {
    // Warm-up: the first connections load code and grow caches that are not per connection.
    await closeAll(await openMany(server.url, 200));
    await settle();
    const before = await server.measure();
    const sockets = await openMany(server.url, n);
    await settle();
    const after = await server.measure();
    await closeAll(sockets);
    return (after - before) / n;
  } finally {
    server.stop();
  }
}

/** `n` upgrades in turn, `concurrency` at a time, each closed (or refused) at once. */
async function cycles(url: string, n: number, concurrency = 50): Promise<void> {
  let started = 0;
  const one = async (): Promise<void> => {
    while (started < n) {
      started++;
      await new Promise<void>((resolve) => {
        const ws = new WebSocket(url);
        ws.once("open", () => ws.close());
        ws.once("close", () => resolve());
        ws.on("error", () => resolve());
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, one));
}

/** The heap after 20,000 connect/close cycles and 20,000 refused upgrades, against the heap before them. */
async function heapReturn(kind: "raw" | "ours"): Promise<{ cycled: number; refused: number }> {
  const server = await startServer(kind);
  try {
    await cycles(server.url, 1_000);
    await settle();
    const start = await server.measure();
    await cycles(server.url, 20_000);
    await settle();
    const cycled = await server.measure();
    await cycles(server.url.replace("key=good", "key=bad"), 20_000);
    await settle();
    const refused = await server.measure();
    return { cycled: cycled / start, refused: refused / start };
  } finally {
    server.stop();
  }
}

export async function memoryBenchmarks(): Promise<Figure[]> {
  const figures: Figure[] = [];
  // A thousand connections move the heap by under 3 MB, where a page more or less is a few percent:
  // more rounds there than at ten thousand for an equally narrow range.
  for (const [n, rounds] of [
    [1_000, 7],
    [10_000, ROUNDS],
  ] as const) {
    const ours: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < rounds; i++) {
      raw.push(await perConnection("raw", n));
      ours.push(await perConnection("ours", n));
    }
    figures.push(
      pairedFigure(
        "memory",
        `heap per idle connection, ${n.toLocaleString("en-US")} loopback connections, WsErrorServer with every policy on`,
        ours,
        raw,
        "a raw `ws` server",
        "≤ 1.15×",
        "B",
      ),
    );
  }
  const runs: { cycled: number; refused: number }[] = [];
  const rawRuns: { cycled: number; refused: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    rawRuns.push(await heapReturn("raw"));
    runs.push(await heapReturn("ours"));
  }
  for (const key of ["cycled", "refused"] as const) {
    const ratios = runs.map((r) => r[key]);
    figures.push({
      suite: "memory",
      name:
        key === "cycled"
          ? "heap after 20,000 connect/close cycles, against the heap before them (WsErrorServer, every policy on)"
          : "heap after a further 20,000 refused upgrades (bad key → 401), against the same start",
      median: median(ratios),
      spread: [Math.min(...ratios), Math.max(...ratios)],
      unit: "×",
      baseline: "a raw `ws` server after the same cycles, against its start",
      baselineMedian: median(rawRuns.map((r) => r[key])),
      ratio: median(ratios),
      ratioSpread: [Math.min(...ratios), Math.max(...ratios)],
      goal: "≤ 1.05×",
    });
  }
  return figures;
}
