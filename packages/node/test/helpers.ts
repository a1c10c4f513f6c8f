import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket } from "ws";
import { WsErrorServer, type WsErrorServerOptions } from "../src/index";

export interface Running {
  readonly url: string;
  readonly port: number;
  readonly server: WsErrorServer;
  readonly logs: { level: string; message: string; context: string }[];
  close(): Promise<void>;
}

/** A WsErrorServer on a real loopback port, with its log captured. */
export async function start(options: Omit<WsErrorServerOptions, "server" | "logger">, path = "/ws"): Promise<Running> {
  const http: Server = createServer((_req, res) => res.writeHead(426).end());
  const logs: Running["logs"] = [];
  const server = new WsErrorServer({
    ...options,
    server: http,
    path,
    logger: {
      error: (message, context) => logs.push({ level: "error", message, context: JSON.stringify(context) }),
      warn: (message, context) => logs.push({ level: "warn", message, context: JSON.stringify(context) }),
    },
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}${path}`,
    port,
    server,
    logs,
    async close() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A raw `ws` client, as a user without ws-errors would have. */
export function raw(
  url: string,
  options: ConstructorParameters<typeof WebSocket>[2] = {},
): Promise<{ ws: WebSocket; messages: unknown[]; closed: Promise<{ code: number; reason: string }> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const messages: unknown[] = [];
    const closed = new Promise<{ code: number; reason: string }>((r) => ws.on("close", (code, reason) => r({ code, reason: reason.toString() })));
    ws.on("message", (data) => messages.push(JSON.parse(data.toString())));
    ws.on("open", () => resolve({ ws, messages, closed }));
    ws.on("unexpected-response", (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, headers: res.headers })));
    ws.on("error", reject);
  });
}

export async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
