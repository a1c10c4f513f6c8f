import { appendFileSync } from "node:fs";
import { join } from "node:path";

/** Where each run's figures go; `.ci/run` prints it, so every CI log carries them. */
export const FIGURES_FILE = join(import.meta.dirname, "..", "figures.log");

/** Records one test's figures (RELIABILITY.md quotes them). */
export function report(test: string, figures: Record<string, string | number>): void {
  const line = `[reliability] ${test}: ${Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ")}`;
  console.log(line);
  appendFileSync(FIGURES_FILE, `${new Date().toISOString()} ${line}\n`);
}
