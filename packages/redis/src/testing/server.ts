import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

/** A `redis-server` this process started, on a free loopback port. */
export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  /** Stops it (SIGTERM, then SIGKILL after 3 s) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills it at once, as a crash would. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open and nothing answers, as a hung server or a partition looks. */
  freeze(): void;
  /** SIGCONT after {@link freeze}. */
  thaw(): void;
}

/** A free TCP port on loopback, as the OS hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Where and how {@link startRedisServer} starts its server. */
export interface StartRedisOptions {
  /** A port of your choice (default: a free one). */
  readonly port?: number;
  /** The binary (default `redis-server` on the PATH). */
  readonly binary?: string;
  /** More arguments, after the defaults (`--replicaof`, `--cluster-enabled`, ...). */
  readonly args?: readonly string[];
  /** The line that says it is ready (default `Ready to accept connections`). */
  readonly readyWhen?: string;
}

/**
 * Starts the `redis-server` on the PATH (Debian's `redis-server` package) on a free loopback port
 * with persistence off, for tests and demos; resolves once it accepts connections. Stop it in
 * your `afterAll`: every process a test starts, it stops.
 *
 * @example
 * ```ts
 * import { startRedisServer } from "@ws-errors/redis/testing";
 * const redis = await startRedisServer();
 * afterAll(() => redis.stop());
 * ```
 */
export async function startRedisServer(options: StartRedisOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  // A directory of its own unless told one: a replica writes the RDB it syncs from its primary
  // there, which would otherwise land in the caller's working directory.
  const dir = options.args?.includes("--dir") ? undefined : mkdtempSync(join(tmpdir(), "ws-errors-redis-"));
  const args = [
    ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"],
    ...(dir ? ["--dir", dir] : []),
    ...(options.args ?? []),
  ];
  return spawnRedis(options.binary ?? "redis-server", args, port, options.readyWhen ?? "Ready to accept connections", dir);
}

/* Every process started here and still running: killed when this process exits, so a test that
   fails before its cleanup (or never reaches it) leaves no Redis behind. */
const running = new Set<ChildProcess>();
let killOnExit = false;

/**
 * Spawns a Redis binary and resolves once it printed `readyWhen`; the handle stops it. `dir`, if
 * given, is removed once the process has exited.
 */
export async function spawnRedis(binary: string, args: readonly string[], port: number, readyWhen: string, dir?: string): Promise<RedisServer> {
  const child: ChildProcess = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  if (!killOnExit) {
    killOnExit = true;
    process.once("exit", () => {
      for (const c of running) c.kill("SIGKILL");
    });
  }
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      if (dir) rmSync(dir, { recursive: true, force: true });
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => (child.kill("SIGKILL"), reject(new Error(`${binary} did not start on port ${port}: ${out}`))), 10_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${binary} (is Debian's ${binary} installed? apt-get install ${binary}): ${error.message}`));
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(readyWhen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited with ${code}: ${out}`));
    });
  });
  // Keep reading its output so a chatty process never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  const end = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
      if (signal === "SIGTERM") setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
    }
    await exited;
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => (child.kill("SIGCONT"), end("SIGTERM")()),
    kill: end("SIGKILL"),
    freeze: () => void child.kill("SIGSTOP"),
    thaw: () => void child.kill("SIGCONT"),
  };
}

/**
 * Whether a `redis-server` binary can be started here. Tests that need one run when it is there
 * (and under CI, where a missing one should fail loudly), and say why they were skipped otherwise.
 *
 * @example
 * ```ts
 * const maybe = redisServerAvailable() || process.env.CI ? describe : describe.skip;
 * ```
 */
export function redisServerAvailable(binary = "redis-server"): boolean {
  return spawnSync(binary, ["--version"], { stdio: "ignore" }).status === 0;
}

/** One question to the Redis on `port`, on a connection of its own; undefined when it cannot answer. */
export async function askRedis<T>(port: number, call: (r: Redis) => Promise<T>): Promise<T | undefined> {
  const r = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on("error", () => undefined);
  try {
    await r.connect();
    return await call(r);
  } catch {
    return undefined;
  } finally {
    r.disconnect();
  }
}
