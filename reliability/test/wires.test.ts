import type { Codec, WsError } from "@ws-errors/core";
import { afterEach, describe, expect, it } from "vitest";
import { ledger } from "../../codegen/test/catalogs/generated/ledger";
import { sluice } from "../../codegen/test/catalogs/generated/sluice";
import { FACADES, scripted, served, type Client, type Scripted } from "./wires/scripted";

/*
 * Wires real APIs use, end to end: a plain `ws` server writes them by hand, as another
 * implementation would, and both client facades decode them and act on them. Each uses its own
 * test catalog (codegen/test/catalogs); the decoding alone is tested in codegen/test/wires.test.ts.
 */

let server: Pick<Scripted, "url" | "close"> | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.close();
  server = undefined;
});

describe.each(Object.keys(FACADES))("through the %s facade", (facade) => {
  const open = (...args: Parameters<(typeof FACADES)[string]>) => {
    const client = (FACADES[facade] as (typeof FACADES)[string])(...args);
    clients.push(client);
    return client;
  };

  it("a request answered with a code the catalog does not list is retried as its status and error type say (ledger)", async () => {
    let answered = 0;
    server = await scripted({
      message(message, socket) {
        const reply =
          ++answered < 3
            ? { type: "error", status: 429, event_id: message.event_id, error: { type: "rate_limit_error", code: "events_burst", message: "slow down" } }
            : { type: "event.created", event_id: message.event_id };
        socket.send(JSON.stringify(reply));
      },
    });
    const client = open(server.url, ledger as unknown as Codec<WsError>);
    await expect(client.request({ type: "event.create" })).resolves.toMatchObject({ type: "event.created" });
    expect(answered).toBe(3);
    expect(client.errors.map((e) => [e._tag, e.code, e.kind])).toEqual([
      ["ledger/uncatalogued", "events_burst", "rate-limited"],
      ["ledger/uncatalogued", "events_burst", "rate-limited"],
    ]);
    expect(client.decisions.map((d) => [d.action, d.delayMs])).toEqual([
      ["retry-later", 50],
      ["retry-later", 50],
    ]);
  });

  it("a server of a catalog that answers bad input by closing closes as it says, and the client stops or reconnects as the entry says (sluice)", async () => {
    server = await served({
      codec: sluice as unknown as Codec<WsError>,
      commands: {
        subscribe: () => {
          throw new Error("the feed's store is down");
        },
      },
    });
    const codec = sluice as unknown as Codec<WsError>;
    const malformed = open(server.url, codec);
    malformed.send("{not json");
    await malformed.stopped;
    expect(malformed.errors.map((e) => [e.layer, e.id, e.code])).toEqual([["close", "bad-message", 4002]]);
    expect(malformed.decisions.map((d) => d.action)).toEqual(["stop"]);

    const unknown = open(server.url, codec);
    await expect(unknown.request({ action: "explode" })).rejects.toMatchObject({ id: "unknown-action" });
    await unknown.stopped;
    expect(unknown.errors.map((e) => [e.layer, e.id])).toEqual([["close", "unknown-action"]]);

    // A fault closes with 1011, which its entry says to come back after.
    const faulty = open(server.url, codec, { reconnect: { initialMs: 5, maxMs: 10 }, requestTimeoutMs: 300 });
    await expect(faulty.request({ action: "subscribe", symbol: "X" })).rejects.toBeDefined();
    expect(faulty.errors[0]).toMatchObject({ layer: "close", id: "fault", code: 1011 });
    expect(faulty.decisions[0]?.action).toBe("reconnect");
  });
});
