import { defer, filter, retry, throwError, timer, type MonoTypeOperatorFunction, type OperatorFunction, type SchedulerLike } from "rxjs";
import { decide, isHandled, isKindName, isWsError, type Decision, type KindName, type ReconnectOptions, type WsError } from "@ws-errors/core";

type AnyClass = abstract new (...args: never[]) => WsError;
/** An error class, a canonical kind (`"rate-limited"`), or an entry id or tag (`"too-many-requests"`, `"collective2/too-many-requests"`). */
export type ErrorSelector = AnyClass | KindName | string;

function matches(error: WsError, selector: ErrorSelector): boolean {
  if (typeof selector === "function") return error instanceof selector;
  if (isKindName(selector)) return error.kind === selector;
  return error._tag === selector || error.id === selector;
}

/** The entry ids and tags of an error union, as literals: an uncatalogued error's `string` id adds none. */
export type EntryIdOf<E> = E extends { readonly id: infer I; readonly _tag: infer T } ? (string extends I ? never : I | T) : never;

/**
 * Keeps the errors that match any of the selectors, narrowing their type: error classes
 * (generated or kind classes), canonical kinds, or the entry ids of the source's catalog (typed:
 * an id the catalog does not have does not compile). Matching uses tags and kinds, so it holds
 * across bundlers and duplicate package copies.
 *
 * @example
 * ```ts
 * const connection = wsErrorsConnection("wss://api.example/ws", { codec: collective2Decoder });
 * connection.errors$.pipe(ofType(RateLimitedError)).subscribe((e) => backOff(e));
 * connection.errors$.pipe(ofType("unauthenticated", "permission-denied")).subscribe(logout);
 * connection.errors$.pipe(ofType("too-many-requests")).subscribe((e) => e.code); // "TOO_MANY_REQUESTS"
 * ```
 */
export function ofType<C extends readonly AnyClass[]>(...classes: C): OperatorFunction<unknown, InstanceType<C[number]> & WsError>;
export function ofType<K extends KindName>(...kinds: readonly K[]): OperatorFunction<unknown, WsError & { readonly kind: K }>;
export function ofType<E extends WsError, I extends EntryIdOf<E>>(
  ...ids: readonly I[]
): OperatorFunction<E, Extract<E, { readonly id: I } | { readonly _tag: I }>>;
export function ofType(...selectors: readonly ErrorSelector[]): OperatorFunction<unknown, WsError> {
  return filter((value: unknown): value is WsError => isWsError(value) && selectors.some((s) => matches(value, s)));
}

export interface RetryByCatalogOptions {
  /** Backoff for reconnect-like directives; `false` never retries them. */
  readonly reconnect?: ReconnectOptions | false;
  /** Delay for `retry-later` when the error carries none (default 1 s). */
  readonly defaultRetryMs?: number;
  /** Retries of a `retry-later` (default 3). */
  readonly maxMessageRetries?: number;
  /** Overrides a decision: return another, or `undefined` to keep the catalog's. */
  readonly decide?: (error: WsError, proposed: Decision) => Decision | undefined;
  /** Sees every decision. */
  readonly onDecision?: (decision: Decision) => void;
  readonly scheduler?: SchedulerLike;
  readonly random?: () => number;
  /** The wall clock epoch times such as `reset_at` are read against (default `Date.now`). */
  readonly now?: () => number;
}

/**
 * Re-subscribes to the source as the catalog's directive for each error says: never for `stop`
 * (the error goes through), after the error's own delay for `retry-later` (`Retry-After`,
 * `reset_at`), after capped exponential backoff with full jitter for reconnect, resume, refresh or
 * free-connection. Errors that are not catalog errors go through untouched, and so do errors a
 * connection already acted on (a `request()` retries `retry-later` answers itself), so the two
 * never multiply the attempts. Each subscription counts its own retries. It composes with
 * `catchError`, `takeUntil` and `share` like `retry` does.
 *
 * @example
 * ```ts
 * connection.request({ cmd: "subscribe", data }).pipe(retryByCatalog(), catchError(showError)).subscribe();
 * ```
 */
export function retryByCatalog<T>(options: RetryByCatalogOptions = {}): MonoTypeOperatorFunction<T> {
  // One count per subscription: an operator instance shared by several subscribers gives each its own retries.
  return (source) =>
    defer(() => {
      let messageRetries = 0;
      return source.pipe(
        retry({
          resetOnSuccess: true,
          delay: (error: unknown, count: number) => {
            // A connection already applied the catalog's directive to this error (it retried a
            // retry-later itself): doing it again here would multiply the attempts.
            if (!isWsError(error) || isHandled(error)) return throwError(() => error);
            const answersRequest = error.layer === "frame" && error.scope !== "connection";
            const proposed = decide(error, {
              attempt: count - 1,
              reconnect: options.reconnect ?? {},
              answersRequest,
              canRefresh: false,
              canResume: true,
              ...(options.defaultRetryMs !== undefined && { defaultRetryMs: options.defaultRetryMs }),
              ...(options.random !== undefined && { random: options.random }),
              ...(options.now !== undefined && { now: options.now() }),
            });
            const decision = options.decide?.(error, proposed) ?? proposed;
            options.onDecision?.(decision);
            const retryable =
              decision.action === "retry-later"
                ? ++messageRetries <= (options.maxMessageRetries ?? 3)
                : decision.action !== "stop" && decision.action !== "none";
            if (!retryable) return throwError(() => error);
            return timer(decision.delayMs, options.scheduler);
          },
        }),
      );
    });
}
