import type { Mark } from "./sampler";

/** What one client process reports of one client. */
export interface ClientRecord {
  readonly last: number | undefined;
  readonly signals: number;
  readonly gaps: number;
  readonly duplicates: number;
  readonly gapMessages: number;
  readonly outages: readonly { readonly closedAt: number; readonly attempts: readonly number[]; readonly backAt?: number }[];
}

const quantile = (sorted: readonly number[], q: number) =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);

/**
 * The run's figures: who was cut off by the kill, how long until each was back (its first signal
 * after reconnecting), gaps and duplicates as the application saw them (and duplicates the clients
 * dropped themselves), how the reconnects spread over time, and Redis's work and peaks.
 */
export function summarize(run: {
  records: readonly ClientRecord[];
  counted: readonly Record<string, number>[];
  killedAt: number;
  failedOver: number | undefined;
  /** Before and after the steady window (no failure), then after recovery. */
  before: Mark;
  steady: Mark;
  recovery: Mark;
  peak: { cpuSum: number; cpuBusiestNode: number; memoryBytes: number; memoryBusiestNodeBytes: number };
  backWithinMs: number;
}) {
  const { records, killedAt } = run;
  const cut = records.filter((r) => r.outages.some((o) => o.closedAt >= killedAt - 50));
  const back = cut.map((r) => {
    const o = r.outages.find((x) => x.closedAt >= killedAt - 50);
    return o?.backAt === undefined ? Number.POSITIVE_INFINITY : o.backAt - killedAt;
  });
  const sortedBack = [...back].sort((a, b) => a - b);
  const firstAttempts = cut
    .map((r) => r.outages.find((x) => x.closedAt >= killedAt - 50)?.attempts[0])
    .filter((t): t is number => t !== undefined)
    .map((t) => t - killedAt)
    .sort((a, b) => a - b);
  // The herd check: the most first attempts in any 50 ms, against an even spread over the same span.
  const span = (firstAttempts.at(-1) ?? 0) - (firstAttempts[0] ?? 0);
  let busiest = 0;
  for (let i = 0, j = 0; i < firstAttempts.length; i++) {
    while ((firstAttempts[i] as number) - (firstAttempts[j] as number) > 50) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  const counted = (name: string) => run.counted.reduce((n, c) => n + (c[name] ?? 0), 0);
  // Redis's work for the resumes: the recovery window's commands beyond the steady rate.
  const steadyPerMs = (run.steady.commands - run.before.commands) / (run.steady.at - run.before.at);
  const recoveryMs = run.recovery.at - run.steady.at;
  const extra = run.recovery.commands - run.steady.commands - steadyPerMs * recoveryMs;
  const gaps = records.reduce((n, r) => n + r.gaps, 0);
  const duplicates = records.reduce((n, r) => n + r.duplicates, 0);
  const notBack = back.filter((ms) => !Number.isFinite(ms) || ms > run.backWithinMs).length;
  return {
    ok: gaps === 0 && duplicates === 0 && notBack === 0 && cut.length > 0,
    cutOff: cut.length,
    back: {
      p50Ms: quantile(sortedBack, 0.5),
      p95Ms: quantile(sortedBack, 0.95),
      maxMs: Number.isFinite(sortedBack.at(-1) ?? 0) ? sortedBack.at(-1) : "never",
      notBack,
    },
    gaps,
    duplicates,
    gapMessages: records.reduce((n, r) => n + r.gapMessages, 0),
    duplicatesDroppedByClients: counted("ws_errors.client.duplicates"),
    resumes: counted("ws_errors.client.resumes"),
    reconnectAttempts: counted("ws_errors.client.reconnects"),
    otherOutages: records.reduce((n, r) => n + r.outages.filter((o) => o.closedAt < killedAt - 50).length, 0),
    firstAttemptAfterKill: {
      p5Ms: quantile(firstAttempts, 0.05),
      p50Ms: quantile(firstAttempts, 0.5),
      p95Ms: quantile(firstAttempts, 0.95),
      maxMs: firstAttempts.at(-1),
    },
    herd: { busiest50Ms: busiest, evenSpread50Ms: span > 0 ? Number(((firstAttempts.length * 50) / span).toFixed(1)) : firstAttempts.length },
    redis: {
      steadyCommandsPerSecond: Math.round(steadyPerMs * 1000),
      recoveryWindowMs: recoveryMs,
      commandsPerResumedClient: cut.length > 0 ? Number((extra / cut.length).toFixed(1)) : undefined,
      cpuSeconds: Number((run.recovery.cpuSeconds - run.steady.cpuSeconds).toFixed(2)),
      peakCpuPercentOfOneCore: Math.round(run.peak.cpuSum * 100),
      peakCpuBusiestNodePercent: Math.round(run.peak.cpuBusiestNode * 100),
      peakMemoryMB: Number((run.peak.memoryBytes / 2 ** 20).toFixed(1)),
    },
    failedOverAfterKillMs: run.failedOver === undefined ? undefined : run.failedOver - killedAt,
  };
}
