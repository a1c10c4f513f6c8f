/*
 * The other end of the socket benchmarks, in its own process so it never shares a core's time
 * with the side being measured. Roles:
 *   stream-server PORT N      a raw ws server that sends N Collective2 signals to each connection, then closes 1000
 *   sink URL N                a raw ws client that reads N messages, then closes
 *   ticker PORT               a raw ws server on a fixed port that sends a signal to each connection every 5 ms
 *   reject URL TOTAL CONC     TOTAL upgrade attempts, CONC at a time; prints rejections per second
 *   admit URL TOTAL CONC KEY  the same with a valid bearer KEY; prints admitted upgrades per second
 */
import { request } from "node:http";
import { WebSocket, WebSocketServer } from "ws";

const [role, a, b, c] = process.argv.slice(2);

export function signal(seq: number): string {
  return JSON.stringify({
    msg_type: "strategy.signal",
    id: `msg_${seq.toString(16).padStart(28, "0")}`,
    seq_id: seq,
    timestamp: "2024-01-01T12:00:00Z",
    v: 4,
    payload: { strategy_id: 12345678, symbol: "AAPL", action: "BTO", quantity: 100, price: 150.25 },
  });
}

if (role === "stream-server") {
  const n = Number(b);
  // Made once, as bytes: the clients are what is measured, so the server must outrun them (a server
  // that serializes each signal and makes a system call per frame is slower than any of them, and
  // every client would measure it instead). Each connection gets seq_id 1..N: each is a new session.
  const frames = Array.from({ length: n }, (_, i) => Buffer.from(signal(i + 1)));
  const text = { binary: false } as const;
  // Port 0: the system's choice, printed; a port picked at random could be one of the thousands
  // the memory suite's connections have just left in TIME_WAIT.
  const wss: WebSocketServer = new WebSocketServer(
    { port: Number(a), host: "127.0.0.1" },
    (): void => void process.stdout.write(`${(wss.address() as { port: number }).port}\n`),
  );
  wss.on("connection", (ws) => {
    let sent = 0;
    const tcp = (ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    const pump = () => {
      tcp.cork();
      while (sent < n && ws.bufferedAmount < 1 << 20) ws.send(frames[sent++] as Buffer, text);
      tcp.uncork();
      if (sent < n) setImmediate(pump);
      else ws.close(1000);
    };
    pump();
  });
} else if (role === "ticker") {
  let seq = 0;
  const wss = new WebSocketServer({ port: Number(a), host: "127.0.0.1" }, () => process.stdout.write("ready\n"));
  setInterval(() => {
    const text = signal(++seq);
    for (const ws of wss.clients) ws.send(text);
  }, 5);
} else if (role === "sink") {
  const n = Number(b);
  let got = 0;
  const ws = new WebSocket(a as string);
  ws.on("message", () => {
    if (++got === n) ws.close();
  });
  ws.on("close", () => process.exit(0));
} else if (role === "reject" || role === "admit") {
  const url = new URL(a as string);
  const key = role === "admit" ? process.argv[6] : "wrong";
  const total = Number(b);
  const concurrency = Number(c);
  let started = 0;
  let done = 0;
  let rejected = 0;
  const t0 = performance.now();
  const one = () => {
    if (started >= total) return;
    started++;
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        authorization: `Bearer ${key}`,
      },
    });
    const finish = () => {
      done++;
      if (done === total) {
        process.stdout.write(`${JSON.stringify({ perSecond: (rejected * 1000) / (performance.now() - t0), rejected })}\n`);
        process.exit(0);
      }
      one();
    };
    req.on("response", (res) => {
      if (res.statusCode === 401) rejected++;
      res.resume();
      res.on("end", finish);
    });
    req.on("upgrade", (_res, socket) => {
      if (role === "admit") rejected++; // counted as "answered as expected"
      socket.destroy();
      finish();
    });
    req.on("error", finish);
    req.end();
  };
  for (let i = 0; i < concurrency; i++) one();
}
