import type { WsError } from "./errors";
import { backoffDelayMs, retryDelayMs, type BackoffOptions } from "./retry-policy";
import type { Directive } from "./spec";

/** What a client does after an error. Clients emit every decision, and users may override it. */
export interface Decision {
  readonly action: Directive | "none";
  /** How long to wait before acting, in ms. */
  readonly delayMs: number;
  readonly error: WsError;
  /** The reconnection attempt this decision starts (1 for the first). */
  readonly attempt?: number;
  /** The backoff's limit (`maxAttempts` or `maxElapsedMs`) turned what would be a reconnect into a stop. */
  readonly gaveUp?: true;
  /** Where to reconnect, as the error names it (`retry.url`); from a frame, the old connection stays until the new one opens. */
  readonly url?: string;
}

export interface ReconnectOptions extends BackoffOptions {
  /** Give up after this many consecutive attempts. Default: never. */
  readonly maxAttempts?: number;
  /** Give up once the connection has been failing this long (since the first failure after it last stayed up). Default: never. */
  readonly maxElapsedMs?: number;
  /** A connection that stayed open this long resets the backoff. Default 5 s. */
  readonly minUptimeMs?: number;
}

export interface DecideContext {
  /** Consecutive reconnection attempts so far. */
  readonly attempt: number;
  readonly reconnect: ReconnectOptions | false;
  /** Whether the error answers a pending request (a command-scope frame). */
  readonly answersRequest: boolean;
  /** Whether the client can refresh credentials; without it, refresh-credentials stops. */
  readonly canRefresh: boolean;
  /** Whether the dialect has a sequence id to resume from; without it, resume reconnects. */
  readonly canResume: boolean;
  /** Whether the client can authenticate again on the open connection (a `reauthenticate` hook). */
  readonly canReauthenticate?: boolean;
  /** Whether the client can subscribe again on the open connection (a `resubscribe` hook). */
  readonly canResubscribe?: boolean;
  /** Delay for retry-later when the error carries none. Default 1 s. */
  readonly defaultRetryMs?: number;
  /** When the current run of failures began (ms since the epoch), for `maxElapsedMs`. */
  readonly failingSince?: number;
  readonly now?: number;
  readonly random?: () => number;
}

/**
 * The catalog's directive for an error, made concrete: what to do and after how long.
 * - A command-scope frame answering a request: retry the message after the delay the error
 *   carries (`Retry-After`, `reset_at`, ...) or fail the request; the connection is untouched.
 * - A `reauthenticate` or `resubscribe` frame, where the client has the hook: do it on the open
 *   connection (a request it answers is sent again after a reauthentication; one it answers with
 *   `resubscribe` is retried as the subscription it is).
 * - A frame naming where to reconnect (`retry.url`): reconnect there, the old connection kept
 *   until the new one opens.
 * - Any other frame: `none`, because whether the connection ends is decided by its close.
 * - An upgrade rejection or a close: stop, or reconnect (resume, refresh, free a connection first)
 *   after the larger of the error's own delay and capped exponential backoff with full jitter, or
 *   after exactly the error's delay when its catalog entry says the delay replaces the backoff.
 *
 * @example
 * ```ts
 * const decision = decide(error, { attempt: 0, reconnect: {}, answersRequest: false, canRefresh: false, canResume: true });
 * if (decision.action === "stop") showFatal(error);
 * ```
 */
export function decide(error: WsError, context: DecideContext): Decision {
  const directive = error.retry.directive;
  const hinted = retryDelayMs(error, context.now, context.random);
  const onConnection = (directive === "reauthenticate" && context.canReauthenticate) || (directive === "resubscribe" && context.canResubscribe);
  if (context.answersRequest && error.layer === "frame") {
    if (directive === "reauthenticate" && onConnection) return { action: directive, delayMs: hinted ?? 0, error };
    return directive === "retry-later" || directive === "resubscribe"
      ? { action: "retry-later", delayMs: hinted ?? context.defaultRetryMs ?? 1000, error }
      : { action: "stop", delayMs: 0, error };
  }
  const field = error.retry.url?.field;
  const named = field === undefined ? undefined : (error.details as Record<string, unknown>)[field];
  const url = typeof named === "string" && named !== "" ? named : undefined;
  if (error.layer === "frame") {
    if (onConnection) return { action: directive, delayMs: hinted ?? 0, error };
    // A server naming where to go next: the client moves there, make before break.
    return url !== undefined && context.reconnect !== false && directive !== "stop"
      ? { action: "reconnect", delayMs: hinted ?? 0, error, url }
      : { action: "none", delayMs: 0, error };
  }
  // A close ends the connection these would have used: authenticating again is then refreshing the
  // credentials to reconnect with, and re-subscribing follows the reconnect.
  const refresh = directive === "refresh-credentials" || directive === "reauthenticate";
  if (context.reconnect === false || directive === "stop" || (refresh && !context.canRefresh)) return { action: "stop", delayMs: 0, error };
  const attempt = context.attempt + 1;
  const elapsed = context.failingSince === undefined ? 0 : (context.now ?? Date.now()) - context.failingSince;
  if (attempt > (context.reconnect.maxAttempts ?? Infinity) || elapsed > (context.reconnect.maxElapsedMs ?? Infinity))
    return { action: "stop", delayMs: 0, error, gaveUp: true };
  // Retrying a refused connection later is a reconnect; resuming needs a sequence to resume from.
  const action =
    directive === "retry-later" || directive === "resubscribe" || (directive === "resume" && !context.canResume)
      ? "reconnect"
      : directive === "reauthenticate"
        ? "refresh-credentials"
        : directive;
  // An API that says when to come back ("reconnect at once") is taken at its word, not backed off.
  const at = url === undefined ? {} : { url };
  if (hinted !== undefined && error.retry.delay?.replacesBackoff) return { action, delayMs: hinted, error, attempt, ...at };
  const backoff = backoffDelayMs(attempt - 1, context.reconnect, context.random);
  return { action, delayMs: Math.max(hinted ?? 0, backoff), error, attempt, ...at };
}
