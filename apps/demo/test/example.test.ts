import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { startDemoServers } from "@ws-errors/demo-server";
import { describe, expect, it } from "vitest";

const EXAMPLE = join(import.meta.dirname, "..", "src", "rxjs-example.ts");

describe("the README's RxJS example", () => {
  it("is in the README exactly as in apps/demo/src/rxjs-example.ts", () => {
    const readme = readFileSync(join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");
    expect(readme).toContain(readFileSync(EXAMPLE, "utf8").trim());
  });

  it("runs as written against the demo servers and exits", async () => {
    const demo = await startDemoServers({ port: 0 });
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", EXAMPLE], {
        env: { ...process.env, DEMO_URL: demo.url },
        timeout: 20_000,
      });
      expect(stdout).toContain("depth: 4003, stop: use the HTTP API");
      expect(stdout).toMatch(/ticks: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d/);
      expect(stdout).toContain("signals: UnauthorizedError 401 stop");
    } finally {
      await demo.close();
    }
  }, 30_000);
});
