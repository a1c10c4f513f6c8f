import type { Principal } from "@ws-errors/node";

/**
 * The demo's keys: `demo-key` is valid; `revoked-key` is valid at connect and revoked 5 s later;
 * `fleet-<n>` keys are valid too, so the fleet run (reliability/fleet) can spread thousands of
 * clients over keys of 10 connections each, the demo's per-key cap.
 */
export const DEMO_KEY = "demo-key";
export const REVOKED_KEY = "revoked-key";
export const REVOKE_AFTER_MS = 5_000;

export function isKnownKey(key: string): boolean {
  return key === DEMO_KEY || key === REVOKED_KEY || /^fleet-\d{1,6}$/.test(key);
}

/** Whether a connection's key is still valid `openedAt` ms after it connected. */
export function stillValid(principal: Principal, openedAt: number, revokeAfterMs = REVOKE_AFTER_MS, now = Date.now()): boolean {
  return principal.key !== REVOKED_KEY || now - openedAt < revokeAfterMs;
}

/** How fast the demo's clocks run; the walkthrough uses `fast` so it ends in seconds. */
export interface Timing {
  /** Collective2: heartbeat every 30 s, answer within 30 s + 10 s grace. */
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  /** Collective2: evict when queued and no successful send for 3 s, checked every 10 s. */
  readonly slowStallMs: number;
  readonly slowCheckMs: number;
  /** Esca: credentials re-checked so a revocation lands within ~25 s. */
  readonly recheckMs: number;
  /** Collective2: a strategy.signal at least every 200 ms. */
  readonly signalEveryMs: number;
  /** TickDB / Esca / Infoway: market data ticks. */
  readonly tickEveryMs: number;
  /** When `revoked-key` stops being valid after connecting (5 s in the demo). */
  readonly revokeAfterMs: number;
}

export const REAL_TIMING: Timing = {
  heartbeatIntervalMs: 30_000,
  heartbeatTimeoutMs: 40_000,
  slowStallMs: 3_000,
  slowCheckMs: 10_000,
  recheckMs: 1_000,
  signalEveryMs: 150,
  tickEveryMs: 250,
  revokeAfterMs: REVOKE_AFTER_MS,
};

export const FAST_TIMING: Timing = { ...REAL_TIMING, heartbeatIntervalMs: 300, heartbeatTimeoutMs: 600, slowStallMs: 300, slowCheckMs: 100, recheckMs: 200 };
