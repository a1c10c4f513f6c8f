import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import type { Codec, WsError } from "@ws-errors/core";
import { afterEach, describe, expect, it } from "vitest";
import { apiKey, connectionCap, memoryState, revocation, type ServerPolicy, type SharedState } from "../src/index";
import { raw, start, until, type Running } from "./helpers";

const esca = escaRates;
let servers: Running[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** Two servers sharing one state: two instances, as far as policies can tell. */
async function pair(state: SharedState, policies: () => readonly ServerPolicy[], codec: Codec<WsError> = esca) {
  servers = [await start({ codec, state, policies: policies() }), await start({ codec, state, policies: policies() })];
  return servers as [Running, Running];
}
const key = (k: string) => ({ headers: { "x-api-key": k } });

describe("policies on shared state", () => {
  it("a shared cap holds across instances; an instance-scoped cap counts per instance", async () => {
    const [a, b] = await pair(memoryState(), () => [apiKey({ from: { header: "x-api-key" }, verify: () => true }), connectionCap({ perKey: 2 })]);
    const open = [await raw(a.url, key("k")), await raw(b.url, key("k"))];
    await expect(raw(a.url, key("k"))).rejects.toMatchObject({ status: 429 });
    await expect(raw(b.url, key("k"))).rejects.toMatchObject({ status: 429 });
    for (const o of open) o.ws.close();
    await Promise.all(servers.map((s) => s.close()));
    const [c, d] = await pair(memoryState(), () => [
      apiKey({ from: { header: "x-api-key" }, verify: () => true }),
      connectionCap({ perKey: 1, scope: "instance" }),
    ]);
    const both = [await raw(c.url, key("k")), await raw(d.url, key("k"))];
    await expect(raw(c.url, key("k"))).rejects.toMatchObject({ status: 429 });
    for (const o of both) o.ws.close();
  });

  it("revoke() on one instance closes the key's connections on every instance with the catalog's entry, and refuses its upgrades", async () => {
    const [a, b] = await pair(memoryState(), () => [apiKey({ from: { header: "x-api-key" }, verify: () => true }), revocation()]);
    const onA = await raw(a.url, key("sk_revoked"));
    const onB = await raw(b.url, key("sk_revoked"));
    const other = await raw(b.url, key("sk_fine"));
    const started = Date.now();
    await a.server.revoke("sk_revoked");
    const [closedA, closedB] = await Promise.all([onA.closed, onB.closed]);
    // Esca's auth_failed: its frame, then close 4001.
    expect(closedA).toEqual({ code: 4001, reason: "auth_failed" });
    expect(closedB).toEqual({ code: 4001, reason: "auth_failed" });
    expect(onB.messages[0]).toMatchObject({ type: "error", code: "auth_failed" });
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(raw(b.url, key("sk_revoked"))).rejects.toMatchObject({ status: 401 });
    expect(other.ws.readyState).toBe(other.ws.OPEN);
    other.ws.close();
  });

  it("a revoked connection whose entry has no close of its own is closed with the entry's browser fallback, not a code the catalog gives another entry", async () => {
    // Collective2's unauthorized entry has an upgrade answer and a browser fallback (4401) only, and
    // its catalog gives 1008 to too-many-connections: a bare 1008 would tell the client to free a
    // connection and try again, with a revoked key.
    const [a, b] = await pair(memoryState(), () => [apiKey({ from: { header: "x-api-key" }, verify: () => true }), revocation()], collective2);
    const onB = await raw(b.url, key("k-revoked"));
    await a.server.revoke("k-revoked");
    const closed = await onB.closed;
    expect(closed).toEqual({ code: 4401, reason: "Invalid API key" });
    expect(collective2.decodeClose(closed)).toMatchObject({ _tag: "collective2/unauthorized", kind: "unauthenticated", retry: { directive: "stop" } });
  });

  it("fails open or closed, as each policy is told, when the state cannot answer", async () => {
    const broken = {
      ...memoryState(),
      acquire: () => Promise.reject(new Error("ECONNREFUSED 127.0.0.1:6379")),
      hit: () => Promise.reject(new Error("ECONNREFUSED")),
    } as SharedState;
    const [open] = [
      await start({ codec: esca, state: broken, policies: [apiKey({ from: { header: "x-api-key" }, verify: () => true }), connectionCap({ perKey: 1 })] }),
    ];
    servers.push(open);
    (await raw(open.url, key("k"))).ws.close();
    (await raw(open.url, key("k"))).ws.close();
    expect(open.logs.some((l) => l.message.includes("failing open"))).toBe(true);
    const closed = await start({
      codec: esca,
      state: broken,
      policies: [apiKey({ from: { header: "x-api-key" }, verify: () => true }), connectionCap({ perKey: 1, onStateError: "closed" })],
    });
    servers.push(closed);
    // Esca has no service-unavailable entry: its internal error, 500.
    await expect(raw(closed.url, key("k"))).rejects.toMatchObject({ status: 500 });
    await until(() => closed.logs.some((l) => l.message.includes("failing closed")), "the log line");
  });
});
