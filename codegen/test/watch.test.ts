import { scratch } from "./scratch";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUNDLED_DIR, BUNDLED_OUTPUT, type CliIo } from "@ws-errors/codegen";
import { describe, expect, it } from "vitest";
import { watchCatalogs } from "../src/watch";

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("generate --watch", () => {
  it("regenerates on save, and keeps the last good output through an invalid save", async () => {
    const dir = scratch("ws-errors-watch-");
    const catalog = join(dir, "esca-rates.yaml");
    cpSync(join(BUNDLED_DIR, "esca-rates.yaml"), catalog);
    const out = { code: join(dir, "out"), docs: join(dir, "docs") };
    const err: string[] = [];
    const log: string[] = [];
    const io: CliIo = { cwd: dir, stdout: (t) => log.push(t), stderr: (t) => err.push(t), stdin: async () => "" };
    const controller = new AbortController();
    const done = watchCatalogs({ files: [catalog], dirs: out, prune: false, where: BUNDLED_OUTPUT }, io, controller.signal);
    const page = join(dir, "docs", "esca-rates.md");
    await until(() => log.join("").includes("watching"), "the watcher");
    expect(readFileSync(page, "utf8")).toContain("# Esca FX rates feed (/v1/rates)");

    writeFileSync(catalog, readFileSync(catalog, "utf8").replace("title: Esca FX rates feed (/v1/rates)", "title: Esca rates v2"));
    await until(() => readFileSync(page, "utf8").includes("# Esca rates v2"), "regeneration");

    const good = readFileSync(join(dir, "out", "esca-rates.ts"), "utf8");
    writeFileSync(catalog, readFileSync(catalog, "utf8").replace("kind: not-found", "kind: missing"));
    await until(() => err.join("").includes("must be one of"), "the problem report");
    expect(err.join("")).toMatch(/esca-rates\.yaml:\d+:\d+ errors\[1\]\.kind/);
    expect(readFileSync(join(dir, "out", "esca-rates.ts"), "utf8")).toBe(good);
    await until(() => log.join("").includes("kept the last good output"), "the watch notice");

    controller.abort();
    expect(await done).toBe(0);
  });
});
