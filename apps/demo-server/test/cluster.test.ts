import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { redisServerAvailable } from "@ws-errors/redis/testing";
import { describe, expect, it } from "vitest";

// Debian's redis-server: .ci/run installs it; elsewhere, without it, this suite is skipped.
const maybe = redisServerAvailable() || process.env.CI ? describe : describe.skip;

maybe("pnpm demo:cluster", () => {
  it("walks a client across three instances on one Redis and stops everything it started", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "src", "cluster.ts")], {
      cwd: join(import.meta.dirname, ".."),
      timeout: 60_000,
    });
    expect(stdout.match(/11th on instance \d: HTTP 429, X-WS-Error: Too many connections → TooManyConnectionsError/g)).toHaveLength(3);
    expect(stdout.match(/close 4001 auth_failed → AuthFailedError/g)).toHaveLength(2);
    expect(stdout).toMatch(/reconnected through the balancer to instance \d; resume_from \d+/);
    expect(stdout).toMatch(/: 0 gaps, 0 duplicates/);
    expect(stdout).toContain("Every instance and the Redis server have been stopped.");
  }, 90_000);

  it("REDIS=cluster: the same on a Redis Cluster, then the stream's primary killed, its replica taking over mid-stream", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "src", "cluster.ts")], {
      cwd: join(import.meta.dirname, ".."),
      env: { ...process.env, REDIS: "cluster" },
      timeout: 90_000,
    });
    expect(stdout).toMatch(/A Redis Cluster on ports (\d+, ){5}\d+ \(3 primaries, 3 replicas\)/);
    expect(stdout.match(/11th on instance \d: HTTP 429/g)).toHaveLength(3);
    expect(stdout).toMatch(/killing the primary on port \d+\n {2}the next signal, seq \d+, \d+ ms after the kill/);
    expect(stdout).toMatch(/: 0 gaps, 0 duplicates/);
    expect(stdout).toContain("Every instance and the Redis server have been stopped.");
  }, 120_000);
});
