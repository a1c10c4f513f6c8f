import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { apiKey, connectionCap, WsErrorServer, type ServerConnection } from "@ws-errors/node";
import { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { report } from "./figures";

const ATTEMPTS = 1000;
const KEYS = 5;
const CAP = 10;

describe("storms: concurrent connection attempts against per-key caps", () => {
  it(`${ATTEMPTS} concurrent attempts on ${KEYS} keys: no key above ${CAP}, every loser gets the catalog's error, the server keeps serving`, async () => {
    const http = createServer();
    const perKey = new Map<string, number>();
    let peak = 0;
    const server = new WsErrorServer({
      codec: collective2,
      server: http,
      policies: [
        apiKey({ from: { bearer: true }, verify: () => true }),
        connectionCap({ perKey: CAP }),
        // A check after the cap that takes a random while: upgrades pass the cap together and race.
        { name: "jitter", upgrade: () => new Promise<void>((r) => setTimeout(r, Math.random() * 30)) },
        {
          name: "watch",
          open: (c: ServerConnection) => {
            const n = (perKey.get(c.principal!.key) ?? 0) + 1;
            perKey.set(c.principal!.key, n);
            peak = Math.max(peak, n);
          },
          close: (c: ServerConnection) => perKey.set(c.principal!.key, (perKey.get(c.principal!.key) ?? 1) - 1),
        },
      ],
      onMessage: (m) => ({ msg_type: "pong", request_id: m.requestId }),
      logger: { error: () => undefined, warn: () => undefined },
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
    const outcomes = { open: 0, http429: 0, race1008: 0, other: [] as string[] };
    const sockets: WebSocket[] = [];
    const started = performance.now();
    await Promise.all(
      Array.from(
        { length: ATTEMPTS },
        (_, i) =>
          new Promise<void>((resolve) => {
            const ws = new WebSocket(url, { headers: { authorization: `Bearer key-${i % KEYS}` } });
            sockets.push(ws);
            let opened = false;
            ws.on("open", () => {
              opened = true;
              // Settle after a moment: a race loser is closed right after opening.
              setTimeout(() => (ws.readyState === ws.OPEN && outcomes.open++, resolve()), 200);
            });
            ws.on("close", (code) => {
              if (opened && code === 1008) {
                outcomes.race1008++;
                resolve();
              }
            });
            ws.on("unexpected-response", (_q, res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () => {
                if (res.statusCode === 429 && Buffer.concat(chunks).toString().includes("TOO_MANY_CONNECTIONS")) outcomes.http429++;
                else outcomes.other.push(`HTTP ${res.statusCode}`);
                resolve();
              });
            });
            ws.on("error", () => undefined);
          }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    // The server still serves: an open connection answers.
    const survivor = sockets.find((s) => s.readyState === s.OPEN)!;
    const answer = await new Promise<string>((resolve) => {
      survivor.once("message", (d) => resolve(d.toString()));
      survivor.send(JSON.stringify({ msg_type: "ping", request_id: "after-storm" }));
    });
    report("storms", {
      attempts: ATTEMPTS,
      keys: KEYS,
      cap: CAP,
      open: outcomes.open,
      rejected429: outcomes.http429,
      raceClosed1008: outcomes.race1008,
      peakPerKey: peak,
      seconds: seconds.toFixed(2),
    });
    expect(peak).toBeLessThanOrEqual(CAP);
    expect(outcomes.open).toBe(KEYS * CAP);
    expect(outcomes.open + outcomes.http429 + outcomes.race1008).toBe(ATTEMPTS);
    expect(outcomes.other).toEqual([]);
    expect(JSON.parse(answer)).toEqual({ msg_type: "pong", request_id: "after-storm" });
    for (const s of sockets) s.terminate();
    await server.close();
    http.closeAllConnections();
    http.close();
  }, 60_000);
});
