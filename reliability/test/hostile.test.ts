import { execFile } from "node:child_process";
import { connect as netConnect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { report } from "./figures";
import { startDemoProcess, type DemoProcess } from "@ws-errors/demo-server/process";

/*
 * Hostile clients against the demo servers, each in a process of its own: the server, the
 * attacker, and the well-behaved client measured from this process.
 */
let demo: DemoProcess;
beforeAll(async () => {
  demo = await startDemoProcess({ HANDSHAKE_TIMEOUT_MS: "1000" });
}, 30_000);
afterAll(async () => demo?.stop());

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] as number;

/** A TickDB client pinging one at a time, recording each round trip, until `stop` is called. */
async function pinger(url: string): Promise<{ samples: number[]; mark(): number; stop(): Promise<void> }> {
  const ws = new WebSocket(url);
  await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
  const samples: number[] = [];
  let running = true;
  let sentAt = 0;
  const send = () => {
    sentAt = performance.now();
    ws.send(JSON.stringify({ cmd: "ping" }));
  };
  ws.on("message", (data) => {
    if (!data.toString().startsWith('{"cmd":"ping"')) return;
    samples.push(performance.now() - sentAt);
    // About 15 pings a second: under TickDB's demo limit of 20 frames a second.
    if (running) setTimeout(send, 60);
  });
  send();
  return {
    samples,
    mark: () => samples.length,
    async stop() {
      running = false;
      ws.close();
      await new Promise((r) => ws.once("close", r));
    },
  };
}

async function flood(kind: "malformed" | "rejected" | "oversized", frames: number, read: "read" | "no-read") {
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(import.meta.dirname, "processes", "flooder.mjs"),
    `${demo.url}/tickdb/v1/realtime?api_key=demo-key`,
    kind,
    String(frames),
    read,
  ]);
  return JSON.parse(stdout) as { code: number | null; reason?: string; received: number; codes?: unknown[]; ms: number };
}

describe("hostile clients: one abusive connection never degrades the others", () => {
  it.each([
    ["malformed", 50_000, "read"],
    ["malformed", 50_000, "no-read"],
    ["rejected", 50_000, "read"],
    ["oversized", 20, "read"],
  ] as const)(
    "a flood of %s frames (%i, %s) leaves another client's ping p50 within 50 ms of its baseline (p95 within 150 ms), and the flooder is cut off",
    async (kind, frames, read) => {
      const ping = await pinger(`${demo.url}/tickdb/v1/realtime?api_key=demo-key`);
      await new Promise((r) => setTimeout(r, 1_500));
      const baseline = ping.samples.slice(3);
      const from = ping.mark();
      const outcome = await flood(kind, frames, read);
      // Keep measuring a moment after the flooder is gone: the server may still be draining.
      await new Promise((r) => setTimeout(r, 300));
      const during = ping.samples.slice(from);
      await ping.stop();
      const base95 = percentile(baseline, 95);
      const flood95 = percentile(during, 95);
      report(`flood ${kind} ${read}`, {
        frames,
        flooderClosedWith: String(outcome.code),
        flooderAnswers: outcome.received,
        flooderCutAfter: `${outcome.ms} ms`,
        baselineP50: `${percentile(baseline, 50).toFixed(2)} ms`,
        baselineP95: `${base95.toFixed(2)} ms`,
        floodP50: `${percentile(during, 50).toFixed(2)} ms`,
        floodP95: `${flood95.toFixed(2)} ms`,
        pingsDuringFlood: during.length,
      });
      expect(during.length).toBeGreaterThan(3);
      // The median says whether the server kept answering others; the tail also moves with whatever
      // else runs on a 2-core machine (turbo runs four packages' tests at once), so it gets a wider
      // bound, which a server stalled by the flood still exceeds (60 ms against 51 failed here once,
      // with a baseline p95 of 1.1 ms, while every other figure was normal).
      expect(percentile(during, 50)).toBeLessThanOrEqual(percentile(baseline, 50) + 50);
      expect(flood95).toBeLessThanOrEqual(base95 + 150);
      if (kind === "oversized") {
        expect(outcome.code).toBe(1009);
      } else if (read === "read") {
        // The catalog's rate-limit entry (3001), then the abuse close (that entry's close for clients
        // that cannot see an upgrade's answer, 4429); a handful of answers, not 50,000.
        expect(outcome.codes).toContain(3001);
        expect(outcome.code).toBe(4429);
        expect(outcome.received).toBeLessThan(100);
      } else {
        // It never reads the close; the server ends the socket anyway.
        expect(outcome.code).not.toBeNull();
      }
      expect(outcome.ms).toBeLessThan(10_000);
    },
    60_000,
  );
});

/** One upgrade attempt on a raw socket from `localAddress`; resolves with the status line's code. */
function attempt(port: number, path: string, key: string, localAddress: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: "127.0.0.1", localAddress });
    let text = "";
    socket.on("data", (d) => {
      text += d.toString();
      if (text.includes("\r\n")) socket.destroy();
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0)));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Api-Key: ${key}\r\n\r\n`,
    );
  });
}

describe("hostile clients: no one can lock users out", () => {
  it("20,000 bad-key attempts from one address leave valid keys from another address unaffected", async () => {
    const ATTEMPTS = 20_000;
    const statuses = new Map<number, number>();
    const valid: { status: number; ms: number }[] = [];
    let next = 0;
    const started = performance.now();
    // Valid clients from another address keep connecting while the attack runs.
    const probe = setInterval(() => {
      const t = performance.now();
      void attempt(demo.port, "/esca/v1/rates", "demo-key", "127.0.0.2").then((status) => valid.push({ status, ms: performance.now() - t }));
    }, 250);
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < ATTEMPTS) {
          next++;
          const status = await attempt(demo.port, "/esca/v1/rates", `bad-${next}`, "127.0.0.1");
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    clearInterval(probe);
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 300));
    // After the attack, from the other address: still admitted.
    valid.push({ status: await attempt(demo.port, "/esca/v1/rates", "demo-key", "127.0.0.2"), ms: 0 });
    report("lockout", {
      badKeyAttempts: ATTEMPTS,
      seconds: seconds.toFixed(1),
      attackerStatuses: JSON.stringify(Object.fromEntries(statuses)),
      validAttempts: valid.length,
      validAdmitted: valid.filter((v) => v.status === 101).length,
      validP95: `${percentile(
        valid.map((v) => v.ms),
        95,
      ).toFixed(1)} ms`,
    });
    // A sliding window of 60/min: 60 at once, then the previous window's weight decays when the run
    // crosses a window boundary, letting through at most 60 more per minute of run.
    const admitted = statuses.get(401) ?? 0;
    expect(admitted).toBeGreaterThanOrEqual(60);
    expect(admitted).toBeLessThanOrEqual(60 + Math.ceil(seconds));
    expect(statuses.get(429)).toBe(ATTEMPTS - admitted);
    expect(valid.length).toBeGreaterThan(2);
    expect(valid.every((v) => v.status === 101)).toBe(true);
  }, 120_000);
});

describe("hostile clients: stalled handshakes", () => {
  it("2,000 handshakes that never finish are answered 408 and closed within the configured timeout; a valid client still connects", async () => {
    const TIMEOUT_MS = 1_000; // HANDSHAKE_TIMEOUT_MS of the demo process
    const STALLED = 2_000;
    // Spread over 40 loopback addresses, 50 each: under the per-address cap, so every one stalls.
    const outcomes = Array.from(
      { length: STALLED },
      (_, i) =>
        new Promise<{ status: number; ms: number }>((resolve) => {
          const socket = netConnect({ port: demo.port, host: "127.0.0.1", localAddress: `127.0.1.${1 + (i % 40)}` });
          let text = "";
          let connectedAt = performance.now();
          socket.on("connect", () => (connectedAt = performance.now()));
          socket.on("data", (d) => (text += d.toString()));
          socket.on("error", () => undefined);
          // How long each socket lived after connecting: the timeout it was given, plus scheduling.
          socket.on("close", () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), ms: performance.now() - connectedAt }));
          socket.write("GET /tickdb/v1/realtime?api_key=demo-key HTTP/1.1\r\nHost: x\r\n");
        }),
    );
    await new Promise((r) => setTimeout(r, 200));
    const ws = new WebSocket(`${demo.url}/tickdb/v1/realtime?api_key=demo-key`, { localAddress: "127.0.0.3" });
    await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
    ws.close();
    const results = await Promise.all(outcomes);
    const last = Math.max(...results.map((r) => r.ms));
    report("stalled handshakes", {
      stalled: STALLED,
      timeoutMs: TIMEOUT_MS,
      answered408: results.filter((r) => r.status === 408).length,
      longestLife: `${last.toFixed(0)} ms`,
      p50Life: `${percentile(
        results.map((r) => r.ms),
        50,
      ).toFixed(0)} ms`,
    });
    expect(results.filter((r) => r.status === 408)).toHaveLength(STALLED);
    expect(last).toBeLessThan(TIMEOUT_MS + 1_500);
  }, 60_000);

  it("one address past the cap of 64 pending handshakes is refused at once, with the catalog's rate-limit answer", async () => {
    const started = performance.now();
    const outcomes = await Promise.all(
      Array.from(
        { length: 100 },
        () =>
          new Promise<{ status: number; ms: number }>((resolve) => {
            const socket = netConnect({ port: demo.port, host: "127.0.0.1", localAddress: "127.0.2.1" });
            let text = "";
            socket.on("data", (d) => (text += d.toString()));
            socket.on("error", () => undefined);
            socket.on("close", () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), ms: performance.now() - started }));
            socket.write("GET /esca/v1/rates HTTP/1.1\r\n");
          }),
      ),
    );
    const refused = outcomes.filter((o) => o.status === 429);
    report("pending handshakes per address", {
      attempts: 100,
      cap: 64,
      refusedAtOnce: refused.length,
      refusedWithin: `${Math.max(...refused.map((r) => r.ms)).toFixed(0)} ms`,
      timedOut408: outcomes.filter((o) => o.status === 408).length,
    });
    expect(refused).toHaveLength(36);
    expect(Math.max(...refused.map((r) => r.ms))).toBeLessThan(800);
    expect(outcomes.filter((o) => o.status === 408)).toHaveLength(64);
  }, 30_000);
});
