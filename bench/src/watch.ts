import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLED_DIR, BUNDLED_OUTPUT, watchCatalogs, type CliIo } from "@ws-errors/codegen";
import { median, type Figure } from "./stats";
import { syntheticCatalog } from "./synthetic";

const ROUNDS = 9;

/** Milliseconds from a save to the watcher's "regenerated", ts-morph already loaded. */
async function saveToRegenerated(file: string, edit: (text: string, round: number) => string): Promise<number[]> {
  const dir = join(file, "..");
  let notify: (() => void) | undefined;
  const io: CliIo = {
    cwd: dir,
    stdout: (text) => {
      if (text.includes("regenerated") || text.includes("kept the last good")) notify?.();
    },
    stderr: () => undefined,
    stdin: async () => "",
  };
  const controller = new AbortController();
  const done = watchCatalogs(
    { files: [file], dirs: { code: join(dir, "out"), docs: join(dir, "out") }, prune: false, where: BUNDLED_OUTPUT },
    io,
    controller.signal,
  );
  const original = readFileSync(file, "utf8");
  const times: number[] = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const regenerated = new Promise<void>((resolve) => (notify = resolve));
    const started = performance.now();
    writeFileSync(file, edit(original, round));
    await regenerated;
    if (round > 0) times.push(performance.now() - started); // round 0 warms the JIT
  }
  controller.abort();
  await done;
  return times;
}

/** Milliseconds from a save to the fs.watch notification alone: the floor any watcher has. */
async function saveToEvent(file: string): Promise<number[]> {
  writeFileSync(file, "# floor\n");
  const times: number[] = [];
  let notify: (() => void) | undefined;
  const watcher = watch(join(file, ".."), () => notify?.());
  for (let round = 0; round <= ROUNDS; round++) {
    const seen = new Promise<void>((resolve) => (notify = resolve));
    const started = performance.now();
    writeFileSync(file, `# ${round}\n${readFileSync(file, "utf8")}`);
    await seen;
    if (round > 0) times.push(performance.now() - started);
  }
  watcher.close();
  return times;
}

export async function watchBenchmarks(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const base = mkdtempSync(join(tmpdir(), "ws-errors-watch-bench-"));
  try {
    const cases: [string, string, string][] = [];
    cpSync(join(BUNDLED_DIR, "collective2.yaml"), join(base, "c2", "collective2.yaml"), { recursive: true });
    cases.push(["bundled collective2 (14 errors)", join(base, "c2", "collective2.yaml"), "title: Collective2 signals WebSocket"]);
    const synthetic = join(base, "s1000", "synthetic-1000.yaml");
    mkdirSync(join(base, "s1000"));
    writeFileSync(synthetic, syntheticCatalog(1000));
    cases.push(["synthetic, 1000 errors", synthetic, "title: Synthetic"]);
    for (const [label, file, title] of cases) {
      const times = await saveToRegenerated(file, (text, round) => text.replace(title, `${title} ${round}`));
      const floor = await saveToEvent(join(base, `floor-${cases.indexOf(cases.find((c) => c[1] === file)!)}.yaml`));
      const m = median(times);
      const f = median(floor);
      figures.push({
        suite: "watch",
        name: `generate --watch, ${label}: save → regenerated`,
        median: m,
        spread: [Math.min(...times), Math.max(...times)],
        unit: "ms",
        baseline: "save → fs.watch event alone",
        baselineMedian: f,
        ratio: m / f,
        ratioSpread: [Math.min(...times) / f, Math.max(...times) / f],
        goal: "≤ 300 ms",
      });
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
  return figures;
}
