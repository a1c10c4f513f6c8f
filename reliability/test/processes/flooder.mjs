// One abusive TickDB client in its own process: sends FRAMES frames of the chosen KIND as fast as
// it can (optionally never reading), then prints what it saw: frames received, close code, time.
import { WebSocket } from "ws";

const [url, kind, count, read] = process.argv.slice(2);
const frames = Number(count);
const body =
  kind === "malformed"
    ? "{not json"
    : kind === "rejected"
      ? JSON.stringify({ cmd: "subscribe", data: { channel: "depth", symbols: ["AAPL.US"] } })
      : kind === "oversized"
        ? "x".repeat(2 * 1024 * 1024)
        : (() => {
            throw new Error(`unknown flood kind ${kind}`);
          })();
const ws = new WebSocket(url);
const received = [];
const started = performance.now();
ws.on("message", (data) => received.push(data.toString()));
ws.on("error", () => undefined);
ws.on("open", async () => {
  if (read === "no-read") ws._socket.pause();
  // In bursts of 500 with a turn of the event loop between them, so a reading flooder does read.
  for (let i = 0; i < frames && ws.readyState === ws.OPEN; i++) {
    ws.send(body);
    if (i % 500 === 499) await new Promise(setImmediate);
  }
});
ws.on("close", (code, reason) => {
  const codes = received.map((text) => {
    try {
      return JSON.parse(text).code;
    } catch {
      return undefined;
    }
  });
  process.stdout.write(
    JSON.stringify({ code, reason: reason.toString(), received: received.length, codes: [...new Set(codes)], ms: Math.round(performance.now() - started) }) +
      "\n",
  );
  process.exit(0);
});
setTimeout(() => {
  process.stdout.write(`${JSON.stringify({ code: null, received: received.length, ms: Math.round(performance.now() - started) })}\n`);
  process.exit(0);
}, 20_000).unref();
