import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { connect as tcp } from "node:net";
import { sanitizeHeaderValue } from "@ws-errors/core";
import { collective2, UnauthorizedError } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { apiKey, WsErrorServer } from "@ws-errors/node";
import { WebSocket } from "ws";
import { describe, expect, it } from "vitest";
import { report } from "./figures";

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s + 0x6d2b79f5) >>> 0), (((s ^ (s >>> 15)) * (1 | s)) >>> 0) / 2 ** 32);
}
const randomText = (random: () => number, length: number) =>
  Array.from({ length }, () => String.fromCharCode(random() < 0.3 ? Math.floor(random() * 32) : Math.floor(random() * 0x2fff))).join("");

function rawUpgrade(port: number, headers: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = tcp(port, "127.0.0.1");
    let text = "";
    socket.on("data", (d) => (text += d.toString("latin1")));
    socket.on("end", () => resolve(text));
    socket.on("error", () => resolve(text));
    socket.write(
      `GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${headers}\r\n`,
    );
  });
}

describe("security", () => {
  it("neutralizes CR, LF and control characters in any text that reaches a header (10,000 random texts)", async () => {
    const random = rng(1);
    for (let i = 0; i < 10_000; i++) {
      const value = sanitizeHeaderValue(randomText(random, 1 + Math.floor(random() * 300)));
      expect(value).toMatch(/^[\x20-\x7e]*$/);
    }
    // Through the server: an upgrade error whose message is hostile text keeps a well-formed response.
    const http = createServer();
    const messages: string[] = [];
    const server = new WsErrorServer({
      codec: collective2,
      server: http,
      authenticate: () => {
        const message = `${randomText(random, 40)}\r\nSet-Cookie: stolen=1\r\n\r\n<script>`;
        messages.push(message);
        throw new UnauthorizedError({ message });
      },
      logger: { error: () => undefined, warn: () => undefined },
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const port = (http.address() as AddressInfo).port;
    for (let i = 0; i < 200; i++) {
      const response = await rawUpgrade(port, "");
      const [head] = response.split("\r\n\r\n");
      expect(head?.split("\r\n")[0]).toBe("HTTP/1.1 401 Unauthorized");
      expect(head).not.toMatch(/set-cookie/i);
      expect(head?.split("\r\n").every((line) => /^[\x20-\x7e]*$/.test(line))).toBe(true);
    }
    report("security headers", { sanitizedTexts: 10_000, hostileUpgradeRejections: 200 });
    await server.close();
    http.close();
  });

  it("never sends an internal error's message, stack or cause to a client (500 random exceptions)", async () => {
    const random = rng(2);
    const http = createServer();
    const secrets: string[] = [];
    const server = new WsErrorServer({
      codec: escaRates,
      server: http,
      commands: {
        subscribe: () => {
          const secret = `secret-${Math.floor(random() * 1e12)}`;
          secrets.push(secret);
          const error = new Error(`db at /srv/${secret}.js failed`, { cause: new Error(secret) });
          throw random() < 0.5 ? error : Object.assign(new TypeError(secret), { stack: secret });
        },
      },
      logger: { error: () => undefined, warn: () => undefined },
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const ws = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/`);
    const frames: string[] = [];
    ws.on("message", (d) => frames.push(d.toString()));
    await new Promise((r) => ws.once("open", r));
    for (let i = 0; i < 500; i++) ws.send(JSON.stringify({ method: "subscribe", req_id: i }));
    const deadline = Date.now() + 10_000;
    while (frames.length < 500 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(frames).toHaveLength(500);
    const all = frames.join("\n");
    for (const secret of secrets) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/\bat |Error:|\.js/);
    expect(new Set(frames.map((f) => JSON.parse(f).code))).toEqual(new Set(["internal_error"]));
    report("security internal errors", { exceptions: 500, framesLeakingDetails: 0 });
    ws.close();
    await server.close();
    http.close();
  });

  it("never writes API keys to logs or bodies (300 random keys, valid and invalid, in every placement)", async () => {
    const random = rng(3);
    const logs: string[] = [];
    const http = createServer();
    const valid = new Set<string>();
    const server = new WsErrorServer({
      codec: collective2,
      server: http,
      policies: [apiKey({ from: [{ header: "x-api-key" }, { bearer: true }, { query: "api_key" }], verify: (k) => valid.has(k) })],
      commands: {
        "subscription.request": () => {
          throw new Error("handler failed while holding the request");
        },
      },
      logger: { error: (m, c) => logs.push(`${m} ${JSON.stringify(c)}`), warn: (m, c) => logs.push(`${m} ${JSON.stringify(c)}`) },
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const port = (http.address() as AddressInfo).port;
    const keys: string[] = [];
    const bodies: string[] = [];
    for (let i = 0; i < 300; i++) {
      const key = `sk_${Math.floor(random() * 1e15).toString(36)}${i}`;
      keys.push(key);
      if (i % 2 === 0) valid.add(key);
      const placement = i % 3;
      const url = `ws://127.0.0.1:${port}/${placement === 2 ? `?api_key=${key}` : ""}`;
      const headers = placement === 0 ? { "x-api-key": key } : placement === 1 ? { authorization: `Bearer ${key}` } : {};
      const ws = new WebSocket(url, { headers });
      ws.on("error", () => undefined);
      await new Promise<void>((resolve) => {
        ws.on("unexpected-response", (_q, res) => {
          res.on("data", (d: Buffer) => bodies.push(d.toString()));
          res.on("end", () => resolve());
        });
        ws.on("open", () => {
          ws.on("message", (d) => {
            bodies.push(d.toString());
            ws.close();
            resolve();
          });
          ws.send(JSON.stringify({ msg_type: "subscription.request", request_id: `r${i}`, note: `my key is ${key}` }));
        });
      });
    }
    const everything = `${logs.join("\n")}\n${bodies.join("\n")}`;
    for (const key of keys) expect(everything).not.toContain(key);
    expect(logs.length).toBeGreaterThan(0);
    report("security keys", { keys: keys.length, placements: "header, bearer, query", logLines: logs.length, bodies: bodies.length, keysFound: 0 });
    await server.close();
    http.close();
  });
});
