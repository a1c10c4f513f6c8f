import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The demo servers in a process of their own, so clients measured from the test process do not share its event loop. */
export interface DemoProcess {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);
const demoMain = join(dirname(require.resolve("@ws-errors/demo-server/package.json")), "src", "main.ts");

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
      resolve({
        url: `ws://127.0.0.1:${port}`,
        port,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
          }),
      });
    });
    child.once("exit", (code) => (clearTimeout(timer), reject(new Error(`demo servers exited with ${code}: ${out}`))));
  });
}
