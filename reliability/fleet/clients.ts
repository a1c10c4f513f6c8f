/*
 * One process of the fleet's clients: COUNT Node clients (@ws-errors/node's `connect`, default
 * backoff with full jitter) through the balancer, each following Collective2's signal stream with
 * its sequence ids and resuming from the last one it saw. Answers heartbeats. On "stop" (stdin) it
 * closes them all and prints one JSON line: per-client gaps, duplicates, outages and attempts.
 *
 * node --import tsx clients.ts URL COUNT FIRST_KEY PER_KEY
 */
import { createInterface } from "node:readline";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import type { MeterLike } from "@ws-errors/core";
import { connect } from "@ws-errors/node";
import { signalSubscription } from "@ws-errors/demo-server";

const [url, countText, firstKeyText, perKeyText] = process.argv.slice(2);
const COUNT = Number(countText);
const FIRST_KEY = Number(firstKeyText);
const PER_KEY = Number(perKeyText ?? 5);

const subscribe = (resumeFrom?: number | string) => JSON.stringify(signalSubscription(resumeFrom));

// What the clients' own metrics say, summed over the process: one meter for all of them.
const counted = new Map<string, number>();
const meter: MeterLike = {
  createCounter: (name) => ({ add: (v) => void counted.set(name, (counted.get(name) ?? 0) + v) }),
  createUpDownCounter: (name) => ({ add: (v) => void counted.set(name, (counted.get(name) ?? 0) + v) }),
  createHistogram: () => ({ record: () => undefined }),
};

interface Record {
  last: number | undefined;
  signals: number;
  gaps: number;
  duplicates: number;
  gapMessages: number;
  /** Each outage: when the socket closed, each reconnect attempt, and the first signal after it. */
  outages: { closedAt: number; attempts: number[]; backAt?: number }[];
}

const records: Record[] = [];
// The catalog errors the clients were told of, by entry: why an attempt failed, if one did.
const errors = new Map<string, number>();
const clients: { close(): void }[] = [];
let opened = 0;
for (let i = 0; i < COUNT; i++) {
  const record: Record = { last: undefined, signals: 0, gaps: 0, duplicates: 0, gapMessages: 0, outages: [] };
  records.push(record);
  const client = connect(url as string, {
    codec: collective2,
    ws: { headers: { authorization: `Bearer fleet-${FIRST_KEY + Math.floor(i / PER_KEY)}` } },
    resume: (seq, c) => c.send(subscribe(seq ?? 0)),
    metrics: meter,
  });
  clients.push(client);
  client.once("open", () => {
    opened++;
    client.send(subscribe());
  });
  // One outage from the close that ends a stream to the first signal after it: attempts that
  // fail on the way (and close again) belong to the same outage.
  client.on("close", () => {
    const open = record.outages.at(-1);
    if (!open || open.backAt !== undefined) record.outages.push({ closedAt: Date.now(), attempts: [] });
  });
  client.on("catalog-error", (error: { _tag: string }) => void errors.set(error._tag, (errors.get(error._tag) ?? 0) + 1));
  // When each attempt will be made: the backoff's delay (full jitter) from now.
  client.on("reconnecting", (info: { delayMs: number }) => record.outages.at(-1)?.attempts.push(Date.now() + info.delayMs));
  client.on("message", (m: { msg_type: string; seq_id?: number }) => {
    if (m.msg_type === "heartbeat") return void client.send(JSON.stringify({ msg_type: "heartbeat.ack", timestamp: new Date().toISOString(), payload: {} }));
    if (m.msg_type === "gap") {
      // Told of a gap: counted, with what it said, next to the catalog errors.
      const said = `gap: ${(m as { payload?: { message?: string } }).payload?.message ?? ""}`;
      errors.set(said, (errors.get(said) ?? 0) + 1);
      return void record.gapMessages++;
    }
    if (m.msg_type !== "strategy.signal") return;
    const seq = m.seq_id as number;
    if (record.last !== undefined) {
      if (seq <= record.last) record.duplicates++;
      else if (seq !== record.last + 1) record.gaps++;
    }
    if (record.last === undefined || seq > record.last) record.last = seq;
    record.signals++;
    const outage = record.outages.at(-1);
    if (outage && outage.backAt === undefined) outage.backAt = Date.now();
  });
  // Spread the opening over time, as real clients arrive: 10 per millisecond tick at most.
  if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
}

// Clients following the stream, and clients away (an outage not yet ended by a signal).
const progress = setInterval(() => {
  const following = records.filter((r) => r.signals > 0).length;
  const away = records.filter((r) => r.outages.length > 0 && r.outages.at(-1)?.backAt === undefined).length;
  console.log(JSON.stringify({ opened, following, away }));
}, 500);
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() !== "stop") return;
  clearInterval(progress);
  for (const c of clients) c.close();
  // Exit only once the (large) line has been handed to the pipe.
  process.stdout.write(`${JSON.stringify({ done: true, records, counted: Object.fromEntries(counted), errors: Object.fromEntries(errors) })}\n`, () =>
    process.exit(0),
  );
});
