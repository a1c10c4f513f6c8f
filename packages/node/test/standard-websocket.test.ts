import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { collective2, ForbiddenError } from "@ws-errors/core/catalogs/collective2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKey, connect, WsErrorServer } from "../src/index";

/*
 * The client on a standard WebSocket, not `ws`: undici's, as Node 20 ships it behind
 * --experimental-websocket (Node 22's global WebSocket is the same code, unflagged). A standard
 * socket cannot read a refused upgrade, so the server answers it with the catalog's browser
 * fallback close, and the client decodes that as the entry.
 */
const http = createServer();
let url = "";
beforeAll(async () => {
  new WsErrorServer({
    codec: collective2,
    server: http,
    browserFallback: true,
    policies: [apiKey({ from: { query: "key" }, verify: (key) => key === "good" })],
    commands: {
      "subscription.request": () => {
        throw new ForbiddenError({ message: "Not authorized to subscribe to Strategy" });
      },
    },
    onConnection: (connection) => void connection.send(JSON.stringify({ msg_type: "connection.connected", payload: {} })),
    logger: { error: () => undefined, warn: () => undefined },
  });
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((r) => http.close(() => r())));

describe("connect({ WebSocket }) on a standard WebSocket", () => {
  it("reads a refused upgrade from the catalog's browser fallback close, and a frame error on an open connection, as the catalog's entries", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--experimental-websocket",
        "--no-warnings",
        "--conditions=ws-errors-source",
        "--import",
        "tsx",
        join(import.meta.dirname, "fixtures", "standard-client.ts"),
        url,
      ],
      { cwd: join(import.meta.dirname, ".."), timeout: 30_000 },
    );
    const told = JSON.parse(stdout.trim().split("\n").at(-1) as string);
    expect(told.global).toBe("function");
    expect(told.bad).toEqual({ refused: "collective2/unauthorized (close)", messages: [] });
    expect(told.good).toEqual({ frame: "collective2/forbidden", messages: ["connection.connected"] });
  });

  it("refuses `ws` options with a standard WebSocket, naming both", () => {
    class Standard {
      constructor(readonly url: string) {}
    }
    expect(() => connect(url, { codec: collective2, WebSocket: Standard, ws: { headers: { authorization: "Bearer k" } } })).toThrow(
      /`ws` options .* cannot go through a standard `WebSocket`/,
    );
  });
});
