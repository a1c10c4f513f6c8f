/*
 * pnpm demo:cluster: a Redis server and three demo instances sharing it, and a client walked
 * across them: a connection cap reached across instances, a revocation pushed to all of them, and
 * an instance killed mid-stream with the client resumed on another, nothing lost or repeated.
 * REDIS=cluster pnpm demo:cluster: the same on a Redis Cluster (3 primaries, 3 replicas), and then
 * the primary holding the signal stream is killed too, its replica taking over mid-stream.
 */
import { request } from "node:http";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { connect } from "@ws-errors/node";
import { type RedisCluster, type RedisServer, startRedisCluster, startRedisServer } from "@ws-errors/redis/testing";
import { WebSocket } from "ws";
import { startBalancer } from "./balancer";
import { signalSubscription } from "./collective2";
import { startDemoProcess, type DemoProcess } from "./process";

const subscribe = signalSubscription;
const step = (text: string) => console.log(`\n${text}`);
// Every wait is bounded: a walkthrough that stalls fails with what it waited for.
const waitFor = async (done: () => boolean, what: string, ms = 30_000) => {
  const deadline = performance.now() + ms;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};
const line = (text: string) => console.log(`  ${text}`);

function open(url: string, headers: Record<string, string>): Promise<WebSocket | { status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body }));
    });
    ws.once("error", reject);
  });
}

const onCluster = process.env.REDIS === "cluster" || process.argv.includes("--cluster");
const redis: RedisServer | RedisCluster = onCluster ? await startRedisCluster() : await startRedisServer();
const env =
  "url" in redis ? { REDIS_URL: redis.url } : { REDIS_CLUSTER: redis.startupNodes.map((n) => `${n.host}:${n.port}`).join(","), HISTORY_REPLICAS: "1" };
const instances: DemoProcess[] = [];
let failed = false;
try {
  instances.push(...(await Promise.all([1, 2, 3].map(() => startDemoProcess(env)))));
  step(
    "url" in redis
      ? `Redis on ${redis.url}; three demo instances sharing it:`
      : `A Redis Cluster on ports ${redis.nodes.map((n) => n.port).join(", ")} (3 primaries, 3 replicas); three demo instances sharing it:`,
  );
  instances.forEach((instance, i) => line(`instance ${i + 1}: ${instance.url}`));

  step("1. Collective2 allows 10 connections per key, whichever instance they reach.");
  const held: WebSocket[] = [];
  for (let i = 0; i < 10; i++) held.push((await open(`${instances[i % 3]!.url}/collective2/ws`, { authorization: "Bearer demo-key" })) as WebSocket);
  line(`10 open: ${[0, 1, 2].map((i) => `${held.filter((_, n) => n % 3 === i).length} on instance ${i + 1}`).join(", ")}`);
  for (const [i, instance] of instances.entries()) {
    const refused = await open(`${instance.url}/collective2/ws`, { authorization: "Bearer demo-key" });
    if (refused instanceof WebSocket) throw new Error(`instance ${i + 1} admitted an 11th connection`);
    const error = collective2.decodeUpgrade({ status: refused.status, headers: refused.headers, body: refused.body });
    line(
      `11th on instance ${i + 1}: HTTP ${refused.status}, X-WS-Error: ${refused.headers["x-ws-error"]} → ${error?.name} (${error?.kind}, ${error?.retry.directive})`,
    );
  }
  for (const ws of held) ws.close();

  step("2. A revocation on instance 3 closes the key's Esca connections on instances 1 and 2.");
  const esca = (await Promise.all([0, 1].map((i) => open(`${instances[i]!.url}/esca/v1/rates`, { "x-api-key": "demo-key" })))) as WebSocket[];
  const closes = esca.map(
    (ws) => new Promise<{ code: number; reason: string }>((r) => ws.once("close", (code, reason) => r({ code, reason: reason.toString() }))),
  );
  const revokedAt = performance.now();
  await new Promise<void>((resolve, reject) =>
    request(
      { port: instances[2]!.port, host: "127.0.0.1", path: "/revoke?key=demo-key&ttl_ms=1000", method: "POST" },
      (res) => (res.resume(), res.on("end", resolve)),
    )
      .on("error", reject)
      .end(),
  );
  for (const [i, close] of (await Promise.all(closes)).entries()) {
    const error = escaRates.decodeClose(close);
    line(
      `instance ${i + 1}: close ${close.code} ${close.reason} → ${error?.name} (${error?.retry.directive}), ${(performance.now() - revokedAt).toFixed(0)} ms after the revocation`,
    );
  }
  await new Promise((r) => setTimeout(r, 1_100)); // the revocation lasts one second here

  step("3. Behind a load balancer, the instance serving the client is killed mid-stream; it resumes on another.");
  const balancer = await startBalancer(instances.map((i) => i.port));
  const client = connect(`ws://127.0.0.1:${balancer.port}/collective2/ws`, {
    codec: collective2,
    ws: { headers: { authorization: "Bearer demo-key" } },
    reconnect: { initialMs: 50, maxMs: 200 },
    resume: (seq, c) => c.send(subscribe(Number(seq))),
  });
  const seqs: number[] = [];
  client.on("message", (m: { msg_type: string; seq_id?: number }) => m.msg_type === "strategy.signal" && seqs.push(m.seq_id as number));
  client.on("decision", (d: { action: string }) => line(`the catalog decided: ${d.action}`));
  client.on("resumed", ({ from }: { from: unknown }) =>
    line(`reconnected through the balancer to instance ${(balancer.routed.at(-1) as number) + 1}; resume_from ${String(from)}`),
  );
  await new Promise((r) => client.once("open", r));
  client.send(subscribe());
  await waitFor(() => seqs.length >= 15, "the first signals");
  const victim = balancer.routed[0] as number;
  line(`on instance ${victim + 1}, signals up to seq ${seqs.at(-1)}; killing instance ${victim + 1} (SIGKILL)`);
  const before = seqs.length;
  await instances[victim]!.kill();
  await waitFor(() => seqs.length >= before + 30, "the resumed stream");
  if (!("url" in redis)) {
    step("4. The Redis primary holding the signal stream is killed (SIGKILL); its replica takes over.");
    const primary = await redis.primaryFor("ws-errors:stream:{collective2:strategy.signal:12345678}");
    const beforeFailover = seqs.length;
    line(`signals up to seq ${seqs.at(-1)}; killing the primary on port ${primary.port}`);
    const killedAt = performance.now();
    await primary.kill();
    await waitFor(() => seqs.length >= beforeFailover + 1, "a signal after the failover");
    line(`the next signal, seq ${seqs[beforeFailover]}, ${(performance.now() - killedAt).toFixed(0)} ms after the kill`);
    await waitFor(() => seqs.length >= beforeFailover + 20, "the stream after the failover");
  }
  client.close();
  await balancer.close();
  const gaps = seqs.slice(1).filter((s, i) => s !== (seqs[i] as number) + 1).length;
  const duplicates = seqs.length - new Set(seqs).size;
  line(`${seqs.length} signals, seq ${seqs[0]}..${seqs.at(-1)}: ${gaps} gaps, ${duplicates} duplicates`);
  if (gaps || duplicates) failed = true;
} catch (error) {
  failed = true;
  console.error(error);
} finally {
  // A failed walkthrough shows what each instance said last.
  if (failed) for (const [i, instance] of instances.entries()) console.error(`\ninstance ${i + 1} said:\n${instance.output().slice(-2_000)}`);
  await Promise.all(instances.map((i) => i.stop()));
  await redis.stop();
}
step(failed ? "The cluster walkthrough FAILED." : "Every instance and the Redis server have been stopped.");
process.exit(failed ? 1 : 0);
