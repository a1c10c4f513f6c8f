/** Prints one line per figure so a CI log carries what each run measured (RELIABILITY.md quotes them). */
export function report(test: string, figures: Record<string, string | number>): void {
  console.log(`[reliability] ${test}: ${Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(", ")}`);
}
