import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";

/** The demo servers in a process of their own, so clients measured from the test process do not share its event loop. */
export interface DemoProcess {
  readonly url: string;
  readonly port: number;
  /** Everything it printed (stdout and stderr). */
  output(): string;
  /** Whether it is still running. */
  alive(): boolean;
  stop(): Promise<void>;
  /** SIGKILL: a crash, with no chance to close anything. */
  kill(): Promise<void>;
}

const demoMain = join(import.meta.dirname, "main.ts");

/**
 * Starts `main.ts` (the demo servers) in a child process on a free port, with `env` added (e.g.
 * `REDIS_URL`); resolves once it listens.
 *
 * @example
 * ```ts
 * const instance = await startDemoProcess({ REDIS_URL: redis.url });
 * ```
 */
export function startDemoProcess(env: Record<string, string> = {}): Promise<DemoProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", demoMain], {
    env: { ...process.env, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    cwd: dirname(demoMain),
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`demo servers did not start: ${out}`))), 20_000);
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const match = /on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      const port = Number(match[1]);
      const exited = new Promise<void>((done) => (child.exitCode !== null ? done() : child.once("exit", () => done())));
      const end = (signal: NodeJS.Signals) => async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill(signal);
          if (signal === "SIGTERM") setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
        }
        await exited;
      };
      resolve({
        url: `ws://127.0.0.1:${port}`,
        port,
        output: () => out,
        alive: () => child.exitCode === null && child.signalCode === null,
        stop: end("SIGTERM"),
        kill: end("SIGKILL"),
      });
    });
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`demo servers exited with ${code}: ${out}`))));
    child.stderr?.on("data", () => undefined);
  });
}
