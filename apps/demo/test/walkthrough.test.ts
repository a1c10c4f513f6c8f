import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

describe("pnpm demo says what happened", () => {
  it("a failed command leaves the connection open, and each error of a multi-error frame is printed with its field", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "src", "main.ts")], { timeout: 60_000 });
    const frames = stdout.split("\n").filter((l) => l.trim().startsWith("frame"));
    // TickDB's depth-unavailable answers one command: not "stopped".
    expect(frames.find((l) => l.includes("DepthUnavailableError"))).toContain("→ the request fails; the connection stays open");
    expect(frames.filter((l) => / req \d+/.test(l) && l.endsWith("→ stopped"))).toEqual([]);
    // Collective2's one frame with three validation errors: three lines, one field each.
    const multi = frames.filter((l) => / req 2 field payload\./.test(l) && l.includes("Collective2") === false);
    expect(multi.map((l) => /field (\S+)/.exec(l)?.[1])).toEqual(expect.arrayContaining(["payload.action", "payload.channel", "payload.strategy_id"]));
  }, 90_000);
});
