import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

/** The demo APIs served from Bun or Deno, in a child process the caller stops. */
export interface RuntimeDemo {
  /** `ws://127.0.0.1:PORT` */
  readonly url: string;
  close(): Promise<void>;
}

const here = import.meta.dirname;
const binary = (name: "bun" | "deno") => join(here, "..", "node_modules", ".bin", name);

/**
 * Starts the demo APIs on Bun (`src/bun.ts`, run from source) or Deno (`src/deno.ts`, bundled
 * first: Deno's loader does not take the sources' extensionless imports) with `env` added
 * (`DEMO_TIMING=fast` for the walkthrough's clocks); resolves once it listens.
 *
 * @example
 * ```ts
 * const demo = await startRuntimeDemo("bun", { DEMO_TIMING: "fast" });
 * await demo.close();
 * ```
 */
export async function startRuntimeDemo(runtime: "bun" | "deno", env: Record<string, string> = {}): Promise<RuntimeDemo> {
  let dir: string | undefined;
  let args: string[];
  if (runtime === "bun") args = ["--conditions=ws-errors-source", join(here, "bun.ts")];
  else {
    dir = mkdtempSync(join(tmpdir(), "ws-errors-demo-deno-"));
    const script = join(dir, "deno.mjs");
    await build({
      entryPoints: [join(here, "deno.ts")],
      bundle: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      target: "es2022",
      outfile: script,
      logLevel: "error",
    });
    args = ["run", "--allow-net", "--allow-env", script];
  }
  const child = spawn(binary(runtime), args, { env: { ...process.env, PORT: "0", ...env }, stdio: ["pipe", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  // However this process ends, the runtime does not outlive it.
  const kill = () => child.kill("SIGKILL");
  process.once("exit", kill);
  const close = async () => {
    child.stdin?.end();
    const timer = setTimeout(kill, 3_000);
    await exited;
    clearTimeout(timer);
    process.off("exit", kill);
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let out = "";
    const fail = (why: string) => {
      void close();
      reject(new Error(`the ${runtime} demo ${why}:\n${out}`));
    };
    const timer = setTimeout(() => fail("did not listen in 30 s"), 30_000);
    const early = (code: number | null) => (clearTimeout(timer), fail(`exited with ${code}`));
    child.once("exit", early);
    child.stderr?.on("data", (d: Buffer) => void (out += d.toString()));
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const port = /PORT (\d+)/.exec(out)?.[1];
      if (!port) return;
      clearTimeout(timer);
      child.off("exit", early);
      child.stdout?.removeAllListeners("data");
      child.stdout?.resume();
      resolve({ url: `ws://127.0.0.1:${port}`, close });
    });
  });
}
