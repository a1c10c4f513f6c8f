import { request } from "node:http";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { connect } from "@ws-errors/node";
import { redisServerAvailable, startRedisServer, type RedisServer } from "@ws-errors/redis/testing";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { report } from "./figures";
import { signalSubscription } from "@ws-errors/demo-server";
import { startBalancer } from "@ws-errors/demo-server/balancer";
import { startDemoProcess, type DemoProcess } from "@ws-errors/demo-server/process";

// Debian's redis-server: .ci/run installs it; elsewhere, without it, this suite is skipped.
const maybe = redisServerAvailable() || process.env.CI ? describe : describe.skip;

/*
 * Several demo instances (processes) sharing one Debian redis-server on a free loopback port:
 * caps, revocations, attempt limits and Collective2's signal history hold whichever instance a
 * client reaches, and survive an instance's crash and Redis's own.
 */
const C2 = "/collective2/ws";
const subscribe = (resumeFrom?: number) => JSON.stringify(signalSubscription(resumeFrom));

type Outcome = { ws?: WebSocket; status?: number; headers?: Record<string, unknown>; ms?: number };
function open(url: string, headers: Record<string, string>): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve({ ws }));
    ws.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, ms: performance.now() - started }));
    ws.once("error", reject);
  });
}
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const post = (port: number, path: string) =>
  new Promise<number>((resolve, reject) =>
    request({ port, host: "127.0.0.1", path, method: "POST" }, (res) => (res.resume(), resolve(res.statusCode ?? 0)))
      .on("error", reject)
      .end(),
  );
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

maybe("three instances sharing one Redis", () => {
  let redis: RedisServer;
  let instances: DemoProcess[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    instances = await Promise.all([0, 1, 2].map(() => startDemoProcess({ REDIS_URL: redis.url, LEASE_MS: "1500" })));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await redis?.stop();
  });

  it("Collective2's 11th connection for a key is refused with 429 and X-WS-Error whichever instance it reaches", async () => {
    const held: WebSocket[] = [];
    for (let i = 0; i < 10; i++) {
      const outcome = await open(`${instances[i % 3]!.url}${C2}`, bearer("demo-key"));
      expect(outcome.ws).toBeDefined();
      held.push(outcome.ws as WebSocket);
    }
    const refused = await Promise.all(instances.map((i) => open(`${i.url}${C2}`, bearer("demo-key"))));
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.headers?.["x-ws-error"]).toBe("Too many connections");
    }
    // One closes on instance 0; a slot is free on instance 2.
    held[0]!.close();
    await new Promise((r) => setTimeout(r, 200));
    const admitted = await open(`${instances[2]!.url}${C2}`, bearer("demo-key"));
    expect(admitted.ws).toBeDefined();
    held.push(admitted.ws as WebSocket);
    report("cluster caps", {
      instances: 3,
      perKey: 10,
      held: 10,
      refusedOnEveryInstance: refused.filter((r) => r.status === 429).length,
      refusedIn: `${Math.max(...refused.map((r) => r.ms ?? 0)).toFixed(1)} ms`,
    });
    for (const ws of held) ws.close();
    await new Promise((r) => setTimeout(r, 300));
  });

  it("a revocation on one instance closes the key's connections on every instance within one second", async () => {
    const esca = await Promise.all(instances.map((i) => open(`${i.url}/esca/v1/rates`, { "x-api-key": "demo-key" })));
    const closed = esca.map(
      (o) =>
        new Promise<{ code: number; reason: string; at: number }>((r) =>
          o.ws!.once("close", (code, reason) => r({ code, reason: reason.toString(), at: performance.now() })),
        ),
    );
    const started = performance.now();
    expect(await post(instances[0]!.port, "/revoke?key=demo-key&ttl_ms=1000")).toBe(204);
    const closes = await Promise.all(closed);
    const slowest = Math.max(...closes.map((c) => c.at - started));
    report("cluster revocation", { instances: 3, closedWith: `${closes[0]?.code} ${closes[0]?.reason}`, slowestClose: `${slowest.toFixed(0)} ms` });
    for (const c of closes) expect(c).toMatchObject({ code: 4001, reason: "auth_failed" });
    expect(slowest).toBeLessThan(1_000);
    // Its upgrades are refused while the revocation lasts, then admitted again.
    expect((await open(`${instances[1]!.url}/esca/v1/rates`, { "x-api-key": "demo-key" })).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1_100));
    (await open(`${instances[1]!.url}/esca/v1/rates`, { "x-api-key": "demo-key" })).ws!.close();
  });

  it("an instance killed mid-stream: the client resumes through the balancer on another with every signal exactly once, in order", async () => {
    const balancer = await startBalancer(instances.map((i) => i.port));
    const client = connect(`ws://127.0.0.1:${balancer.port}${C2}`, {
      codec: collective2,
      ws: { headers: bearer("demo-key") },
      reconnect: { initialMs: 20, maxMs: 100 },
      resume: (seq, c) => c.send(subscribe(Number(seq))),
    });
    const seqs: number[] = [];
    client.on("message", (m: { msg_type: string; seq_id?: number }) => m.msg_type === "strategy.signal" && seqs.push(m.seq_id as number));
    await new Promise((r) => client.once("open", r));
    client.send(subscribe());
    await until(() => seqs.length >= 20, "signals");
    const victim = instances[balancer.routed[0] as number]!;
    const before = seqs.length;
    const killedAt = performance.now();
    await victim.kill();
    let resumedAfter = 0;
    client.once("resumed", () => (resumedAfter = performance.now() - killedAt));
    await until(() => seqs.length >= before + 60, "the resumed stream");
    client.close();
    await balancer.close();
    const gaps = seqs.slice(1).filter((s, i) => s !== (seqs[i] as number) + 1).length;
    report("cluster resume", {
      instances: 3,
      killed: `instance ${balancer.routed[0]}`,
      signals: seqs.length,
      resumedOn: `instance ${balancer.routed.at(-1)}`,
      resumedAfter: `${resumedAfter.toFixed(0)} ms`,
      gaps,
      duplicates: seqs.length - new Set(seqs).size,
    });
    expect(balancer.routed.at(-1)).not.toBe(balancer.routed[0]);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(gaps).toBe(0);
    instances = instances.filter((i) => i !== victim);
  }, 30_000);

  it("a crashed instance's connection slots free themselves within the lease", async () => {
    const [holder, other] = instances as [DemoProcess, DemoProcess];
    const held: WebSocket[] = [];
    for (let i = 0; i < 10; i++) held.push((await open(`${holder.url}${C2}`, bearer("demo-key"))).ws as WebSocket);
    for (const ws of held) ws.on("error", () => undefined);
    expect((await open(`${other.url}${C2}`, bearer("demo-key"))).status).toBe(429);
    const killedAt = performance.now();
    await holder.kill();
    let admitted: WebSocket | undefined;
    while (!admitted && performance.now() - killedAt < 10_000) {
      const outcome = await open(`${other.url}${C2}`, bearer("demo-key"));
      if (outcome.ws) admitted = outcome.ws;
      else await new Promise((r) => setTimeout(r, 100));
    }
    const freedAfter = performance.now() - killedAt;
    report("cluster leases", { leaseMs: 1500, slotsHeldByCrashedInstance: 10, freedAfter: `${freedAfter.toFixed(0)} ms` });
    expect(admitted).toBeDefined();
    expect(freedAfter).toBeLessThan(1500 + 1000);
    admitted?.close();
    instances = instances.filter((i) => i !== holder);
  }, 30_000);
});

maybe("Redis killed and restarted under two instances", () => {
  let redis: RedisServer;
  let instances: DemoProcess[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
    instances = await Promise.all([0, 1].map(() => startDemoProcess({ REDIS_URL: redis.url })));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await redis?.stop();
  });

  it("upgrades never hang while Redis is down (caps fail open, as configured), no process dies, and limits hold again once it is back", async () => {
    const port = redis.port;
    await redis.kill();
    const during: number[] = [];
    const admittedDuring: WebSocket[] = [];
    for (let i = 0; i < 6; i++) {
      const started = performance.now();
      const outcome = await open(`${instances[i % 2]!.url}${C2}`, bearer("demo-key"));
      during.push(performance.now() - started);
      if (outcome.ws) admittedDuring.push(outcome.ws);
    }
    for (const ws of admittedDuring) ws.close();
    redis = await startRedisServer({ port });
    // Once the instances have reconnected, the cap of 10 holds across them again.
    const held: WebSocket[] = [];
    let refused = 0;
    const deadline = Date.now() + 15_000;
    while (refused === 0 && Date.now() < deadline) {
      const outcome = await open(`${instances[held.length % 2]!.url}${C2}`, bearer("demo-key"));
      if (outcome.ws) held.push(outcome.ws);
      else if (outcome.status === 429) refused++;
      if (held.length > 10) {
        // Admitted while the instances were still reconnecting (fail open): start the count again.
        for (const ws of held.splice(0)) ws.close();
        await new Promise((r) => setTimeout(r, 300));
      }
    }
    report("redis restart", {
      upgradesWhileDown: during.length,
      admittedWhileDown: admittedDuring.length,
      slowestUpgradeWhileDown: `${Math.max(...during).toFixed(0)} ms`,
      heldAfterRestart: held.length,
      refusedAfterRestart: refused,
    });
    expect(admittedDuring).toHaveLength(6);
    expect(Math.max(...during)).toBeLessThan(1_500);
    expect(refused).toBe(1);
    expect(held).toHaveLength(10);
    for (const ws of held) ws.close();
    for (const instance of instances) {
      expect(instance.alive()).toBe(true);
      expect(instance.output()).not.toMatch(/Unhandled|unhandled|ERR_UNHANDLED/);
    }
  }, 60_000);
});
