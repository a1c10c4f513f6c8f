import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** A server process on another runtime, started by a test and stopped by it. */
export interface RuntimeProcess {
  readonly port: number;
  /** What the process wrote to stderr so far (for a failing test's message). */
  readonly stderr: () => string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// However the test process ends, no runtime outlives it.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** The path of a fixture, for a runtime's command line. */
export function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

/** This package's copy of a runtime's binary (a pinned devDependency). */
export function binary(name: "bun" | "deno"): string {
  return fileURLToPath(new URL(`../node_modules/.bin/${name}`, import.meta.url));
}

/**
 * Starts `command args`, waits for its `PORT <n>` line, and returns it with a way to stop it (stdin
 * closed, then SIGKILL if it has not exited within 2 s).
 */
export function startRuntime(command: string, args: readonly string[], env: Record<string, string> = {}, timeoutMs = 30_000): Promise<RuntimeProcess> {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  running.add(child);
  let stderr = "";
  let stdout = "";
  child.stderr?.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    child.stdin?.end();
    const timer = setTimeout(() => child.kill("SIGKILL"), 2_000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      child.kill("SIGKILL");
      running.delete(child);
      reject(new Error(`${command} ${args.join(" ")}: ${why}\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`no PORT line in ${timeoutMs} ms`), timeoutMs);
    const early = (code: number | null) => {
      clearTimeout(timer);
      fail(`exited with ${code} before listening`);
    };
    child.once("exit", early);
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /PORT (\d+)/.exec(stdout);
      if (!found) return;
      clearTimeout(timer);
      child.off("exit", early);
      child.stdout?.removeAllListeners("data");
      child.stdout?.resume();
      resolve({ port: Number(found[1]), stderr: () => stderr, stop });
    });
  });
}

/** Runs `command args` to its end and returns its stdout and stderr; killed (and failed) past `timeoutMs`. */
export function runToEnd(command: string, args: readonly string[], timeoutMs: number): Promise<string> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  child.stdout?.on("data", (chunk: Buffer) => void (out += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => void (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      if (signal) reject(new Error(`${command} ${args.join(" ")}: killed (${signal}) after ${timeoutMs} ms\n${out}`));
      else resolve(out);
    });
  });
}
