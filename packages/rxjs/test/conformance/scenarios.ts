import type { Codec, WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";

/*
 * The client conformance suite: the same scenarios against every client facade (the Node
 * client, the RxJS connection) and in every environment (Node, Chromium). Each scenario returns
 * what it observed; the assertions live with the test runner (client-conformance.test.ts), so the
 * browser run is checked by exactly the same expectations.
 */

export interface HandleOptions {
  readonly codec: Codec<WsError>;
  readonly reconnect?: { initialMs?: number; maxMs?: number; maxAttempts?: number; minUptimeMs?: number } | false;
  readonly resume?: (lastSequence: number | string | undefined, send: (data: unknown) => void) => void;
  readonly refreshUrl?: () => string;
  readonly requestTimeoutMs?: number;
}

/** What a facade gives the suite. */
export interface Handle {
  readonly errors: WsError[];
  readonly decisions: string[];
  readonly messages: unknown[];
  readonly opens: () => number;
  request(message: Record<string, unknown>): Promise<unknown>;
  send(data: unknown): void;
  /** Resolves when the client has stopped for good, with the error that ended it. */
  readonly ended: Promise<WsError | undefined>;
  readonly cause: () => unknown;
  close(): void;
}

export type Facade = (url: string, options: HandleOptions) => Handle;

export interface ErrorSeen {
  readonly name: string;
  readonly kind: string;
  readonly layer: string;
  readonly directive: string;
  readonly field?: string | undefined;
  readonly all?: number;
}

const seen = (e: WsError): ErrorSeen => ({
  name: e.name,
  kind: e.kind,
  layer: e.layer,
  directive: e.retry.directive,
  field: e.field,
  ...(e.errors && { all: e.errors.length }),
});
const c2 = collective2;
const esca = escaRates;
const fast = { initialMs: 10, maxMs: 20, minUptimeMs: 60_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(check: () => boolean, ms = 8000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}
const subscribe = { msg_type: "subscription.request", payload: { action: "subscribe", channel: "strategy.signal", strategy_id: 1 } };

/** Every scenario, run one after another against `base` (the scenario server's ws:// URL). */
export async function runScenarios(facade: Facade, base: string, runId: string, refusedUrl: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const url = (path: string, s: string, extra = "") => `${base}${path}?s=${s}&id=${runId}-${s}${extra}`;
  // A Collective2 client that resumes by subscribing again from the last sequence id it saw.
  const resuming = (at: string, resumedWith: unknown[]) =>
    facade(at, {
      codec: c2,
      reconnect: fast,
      resume: (seq, send) => {
        resumedWith.push(seq);
        send({ ...subscribe, request_id: "resume", payload: { ...subscribe.payload, resume_from: String(seq) } });
      },
    });

  // stop: a refused upgrade whose entry says stop: one attempt, never a reconnect loop.
  {
    const h = facade(url("/collective2", "unauthorized"), { codec: c2, reconnect: fast });
    const ended = await h.ended;
    await sleep(50);
    out.stop = { errors: h.errors.map(seen), decisions: h.decisions, ended: ended?.name, opens: h.opens() };
  }
  // retry-later: a command answered with retry-later is retried once the delay passes, then resolves.
  {
    const h = facade(url("/collective2", "busy"), { codec: c2, reconnect: fast });
    const reply = await h.request({ ...subscribe }).catch((e: WsError) => ({ rejected: e.name }));
    out.retryLater = { reply, decisions: h.decisions };
    h.close();
  }
  // reconnect: a close whose meaning is "reconnect" (1011), then open again.
  {
    const h = facade(url("/collective2", "crash"), { codec: c2, reconnect: fast });
    await until(() => h.opens() >= 2);
    out.reconnect = { opens: h.opens(), decisions: h.decisions, errors: h.errors.map(seen) };
    h.close();
  }
  // resume: evicted (1000 "Ping timeout"), reconnected, resumed from the last sequence id; the
  // overlapping replay is dropped.
  {
    const resumedWith: unknown[] = [];
    const h = resuming(url("/collective2", "evict"), resumedWith);
    await until(() => h.messages.length >= 8);
    await sleep(30);
    out.resume = { seqs: h.messages.map((m) => (m as { seq_id?: number }).seq_id), resumedWith, decisions: h.decisions };
    h.close();
  }
  // going away: the instance closes (1001, as WsErrorServer.close() does in a deploy): the client
  // comes back, resuming where the stream has sequence ids (Collective2), reconnecting where it has none (Esca).
  {
    const resumedWith: unknown[] = [];
    const h = resuming(url("/collective2", "away"), resumedWith);
    await until(() => h.messages.length >= 6);
    await sleep(30);
    const e = facade(url("/esca", "gone"), { codec: esca, reconnect: fast });
    await until(() => e.opens() >= 2);
    out.goingAway = {
      seqs: h.messages.map((m) => (m as { seq_id?: number }).seq_id),
      resumedWith,
      decisions: h.decisions,
      errors: h.errors.map(seen),
      esca: { opens: e.opens(), decisions: e.decisions },
    };
    h.close();
    e.close();
  }
  // refresh-credentials: a revoked key (auth_failed, close 4001): new credentials, then reconnected.
  {
    let refreshed = 0;
    const h = facade(url("/esca", "revoke", "&key=old"), {
      codec: esca,
      reconnect: fast,
      refreshUrl: () => {
        refreshed++;
        return url("/esca", "revoke", "&key=new");
      },
    });
    await until(() => h.opens() >= 2);
    out.refresh = { refreshed, opens: h.opens(), decisions: h.decisions, errors: h.errors.map(seen) };
    h.close();
  }
  // free-connection: refused as over the connection cap, then admitted after the backoff.
  {
    const h = facade(url("/collective2", "full"), { codec: c2, reconnect: fast });
    // Counted before the refusal: full jitter may draw a 0 ms backoff, and the reopen can come
    // before a poll sees the decision.
    const before = h.opens();
    // In a browser the refusal is an accepted connection closed with the catalog's fallback code.
    await until(() => h.decisions.length > 0);
    out.freeConnection = { reopened: await until(() => h.opens() > before), decisions: h.decisions, errors: h.errors.map(seen) };
    h.close();
  }
  // frame layer, command scope: rejects that request only; the connection stays.
  {
    const h = facade(url("/esca", "symbols"), { codec: esca, reconnect: fast });
    const rejected = await h.request({ method: "subscribe", pairs: ["XAU/USD"] }).then(
      () => undefined,
      (e: WsError) => seen(e),
    );
    const after = await h.request({ method: "subscribe", pairs: ["EUR/USD"] }).then(
      (r) => (r as { success: boolean }).success,
      () => false,
    );
    out.commandScope = { rejected, after, decisions: h.decisions };
    h.close();
  }
  // frame layer, connection scope: reported, decided "none"; the connection stays.
  {
    const h = facade(url("/esca", "malformed"), { codec: esca, reconnect: fast });
    h.send("{not json");
    await until(() => h.errors.length >= 1);
    const after = await h.request({ method: "subscribe", pairs: ["EUR/USD"] }).then(
      (r) => (r as { success: boolean }).success,
      () => false,
    );
    out.connectionScope = { errors: h.errors.map(seen), decisions: h.decisions, after };
    h.close();
  }
  // One frame with several validation errors: the request rejects with an error carrying all.
  {
    const h = facade(url("/collective2", "invalid"), { codec: c2, reconnect: fast });
    const rejected = await h.request({ ...subscribe }).then(
      () => undefined,
      (e: WsError) => ({ ...seen(e), fields: e.errors?.map((x) => x.field) }),
    );
    out.multiError = { rejected, reported: h.errors.length };
    h.close();
  }
  // A request made right after connecting waits for the open.
  {
    const h = facade(url("/collective2", "early"), { codec: c2, reconnect: fast });
    out.requestBeforeOpen = await h.request({ ...subscribe }).then(
      (r) => (r as { msg_type: string }).msg_type,
      (e: Error) => `rejected: ${e.message}`,
    );
    h.close();
  }
  // A connection refused at the TCP level: the cause is kept; the backoff's limit ends it.
  {
    const h = facade(refusedUrl, { codec: c2, reconnect: { ...fast, maxAttempts: 2 } });
    const ended = await h.ended;
    const cause = h.cause();
    out.refused = {
      ended: ended ? seen(ended) : undefined,
      decisions: h.decisions,
      cause: cause instanceof Error ? cause.message : cause === undefined ? "none" : String(cause),
    };
  }
  return out;
}
