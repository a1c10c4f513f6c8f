import { RateWindow } from "./rate-window";
import type { HistoryEntry, Replay, SharedState } from "./shared-state";

export interface MemoryStateOptions {
  /** Entries kept per stream (default 10,000); older ones are reported as lost on replay. */
  readonly historyRetention?: number;
}

/**
 * The embedded {@link SharedState}: everything in this process, every call O(1) (replay O(entries
 * returned)), idle rate buckets expiring. The default of every server; right for one instance, and
 * for tests.
 *
 * @example
 * ```ts
 * const state = memoryState({ historyRetention: 5_000 });
 * const seq = state.append("strategy.signal:1", JSON.stringify(signal));
 * ```
 */
export function memoryState(options: MemoryStateOptions = {}): SharedState {
  const retention = options.historyRetention ?? 10_000;
  const slots = new Map<string, Set<string>>();
  const windows = new Map<string, RateWindow>();
  const revoked = new Map<string, number>();
  const revokeListeners = new Set<(key: string) => void>();
  const streams = new Map<string, { seq: number; entries: HistoryEntry[]; head: number; listeners: Set<(entry: HistoryEntry) => void> }>();
  const stream = (name: string) => {
    let s = streams.get(name);
    if (!s) streams.set(name, (s = { seq: 0, entries: [], head: 0, listeners: new Set() }));
    return s;
  };
  return {
    acquire(key, limit, holder) {
      let held = slots.get(key);
      if (held?.has(holder)) return true;
      if ((held?.size ?? 0) >= limit) return false;
      if (!held) slots.set(key, (held = new Set()));
      held.add(holder);
      return true;
    },
    release(key, holder) {
      const held = slots.get(key);
      if (held?.delete(holder) && held.size === 0) slots.delete(key);
    },
    hit(bucket, limit, windowMs) {
      const id = `${limit}/${windowMs}`;
      let window = windows.get(id);
      if (!window) windows.set(id, (window = new RateWindow({ limit, windowMs })));
      return window.hitMs(bucket);
    },
    revoke(key, ttlMs = 24 * 3600_000) {
      revoked.set(key, Date.now() + ttlMs);
      for (const listener of revokeListeners) listener(key);
    },
    isRevoked(key) {
      const until = revoked.get(key);
      if (until === undefined) return false;
      if (until > Date.now()) return true;
      revoked.delete(key);
      return false;
    },
    onRevoke(listener) {
      revokeListeners.add(listener);
      return () => revokeListeners.delete(listener);
    },
    append(name, payload) {
      const s = stream(name);
      const entry = { seq: ++s.seq, payload };
      s.entries.push(entry);
      // Trimmed in batches: shifting one element per append would be O(n).
      if (s.entries.length - s.head > retention) s.head++;
      if (s.head > retention) {
        s.entries = s.entries.slice(s.head);
        s.head = 0;
      }
      for (const listener of s.listeners) listener(entry);
      return entry.seq;
    },
    replay(name, after, max): Replay {
      const s = stream(name);
      const first = s.entries[s.head]?.seq ?? s.seq + 1;
      const lost = after + 1 < first ? { from: after + 1, to: first - 1 } : undefined;
      const start = s.head + Math.max(0, after + 1 - first);
      const entries = s.entries.slice(start, start + max);
      return { entries, more: start + max < s.entries.length, ...(lost && { lost }) };
    },
    tail(name, listener) {
      const s = stream(name);
      s.listeners.add(listener);
      return () => s.listeners.delete(listener);
    },
    close() {
      revokeListeners.clear();
      for (const s of streams.values()) s.listeners.clear();
    },
  };
}
