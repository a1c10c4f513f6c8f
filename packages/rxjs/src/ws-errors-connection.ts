import { BehaviorSubject, Observable, Subject, timer, type SchedulerLike, type Subscriber } from "rxjs";
import {
  ClientSession,
  type Decision,
  type Decoder,
  type ReconnectOptions,
  type ResubscribeEvent,
  type SessionState,
  type SocketLike,
  type UncataloguedError,
  type UrlSource,
  type SessionTelemetry,
  type WsError,
  REFUSAL_HINT_HEADER,
} from "@ws-errors/core";

/** The part of the WebSocket API the connection uses: the browser's, which `ws` implements too. */
export type WebSocketLike = SocketLike;

/** Where the connection is: `reason` is the error that led to a reconnect or the end, `cause` what the transport said. */
export type ConnectionState = SessionState;

export interface RxConnectionOptions<E extends WsError> {
  /** The catalog's decoder: `<catalog>Decoder` keeps a browser bundle free of the encoders; the full codec works too. */
  readonly codec: Decoder<E>;
  /**
   * The connection's metrics: `clientMetrics(meter, catalogName)` from `@ws-errors/core` over an
   * OpenTelemetry meter (errors by entry and layer, decisions, reconnects and time to recover,
   * resumes, duplicates dropped, requests and their latency, gave-ups).
   */
  readonly telemetry?: SessionTelemetry;
  /** Opens a socket; default `new WebSocket(url)` (browsers). In Node, pass one from `ws`, with headers. */
  readonly createSocket?: (url: string) => WebSocketLike;
  /** Reconnection backoff and its limits (`maxAttempts`, `maxElapsedMs`); `false` never reconnects. */
  readonly reconnect?: ReconnectOptions | false;
  /** After a `resume` reconnect: re-subscribe from the last sequence id seen. Replays at or below it are dropped. */
  readonly resume?: (lastSequence: number | string | undefined, connection: RxConnection<E>) => void;
  /** On `refresh-credentials`: resolve with what to reconnect with. Without it, such errors stop. */
  readonly refreshCredentials?: (error: E | WsError) => Promise<{ readonly url?: string }>;
  /** On `reauthenticate`: send what authenticates again on the open connection; a request the error answered goes out again after. */
  readonly reauthenticate?: (error: E | WsError, connection: RxConnection<E>) => void | Promise<void>;
  /** On `resubscribe` (an error scoped to a subscription) and after every reconnect that does not resume: subscribe again. */
  readonly resubscribe?: (event: ResubscribeEvent<E>, connection: RxConnection<E>) => void | Promise<void>;
  /** Overrides a decision: return another, or `undefined` to keep the catalog's. */
  readonly decide?: (error: E | WsError, proposed: Decision) => Decision | undefined;
  /** How long a request waits for its answer, a wait for the connection included (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** Retries of a message answered with `retry-later` (default 3). */
  readonly maxMessageRetries?: number;
  /** Delay for `retry-later` when the error carries none (default 1 s). */
  readonly defaultRetryMs?: number;
  /** Where timers run; a TestScheduler in marble tests. */
  readonly scheduler?: SchedulerLike;
}

/** A connection to a WebSocket API described by a catalog, as observables. */
export interface RxConnection<E extends WsError = WsError, T = unknown> {
  /** Data frames, parsed. Errors with the final error when the connection stops on one; completes on a clean end. */
  readonly messages$: Observable<T>;
  /** Every failure, typed, from the upgrade, frames and closes. */
  readonly errors$: Observable<E | UncataloguedError>;
  readonly state$: Observable<ConnectionState>;
  /** What the connection did about each error. */
  readonly decisions$: Observable<Decision>;
  /** Sends a value (JSON unless a string); before the socket opens it waits in a bounded queue. */
  send(data: unknown): void;
  /**
   * Sends a command; emits its answer and completes, or errors with the typed error that answers
   * it, once the connection has applied the catalog's directive (retried a `retry-later` itself).
   */
  request<R = unknown>(message: Record<string, unknown> | readonly unknown[]): Observable<R>;
  /** The highest sequence id seen on a stream message. */
  readonly lastSequence: number | string | undefined;
}

/*
 * The stream every message goes through, multicast by hand: an rxjs Subject's next() makes a
 * closure per value, and in the build Node loads (ES5) an iterator too; here a value costs one loop
 * over the subscribers. Same contract as a Subject for what the connection needs: late subscribers
 * to an ended stream get its end, unsubscribing during an emission is safe (copy on write).
 */
class Fanout<T> {
  private subscribers: readonly Subscriber<T>[] = [];
  private ended: { readonly error?: unknown; readonly failed: boolean } | undefined;

  readonly observable = new Observable<T>((subscriber) => {
    if (this.ended) {
      if (this.ended.failed) subscriber.error(this.ended.error);
      else subscriber.complete();
      return undefined;
    }
    this.subscribers = [...this.subscribers, subscriber];
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== subscriber);
    };
  });

  next(value: T): void {
    const subscribers = this.subscribers;
    for (let i = 0; i < subscribers.length; i++) (subscribers[i] as Subscriber<T>).next(value);
  }

  error(error: unknown): void {
    this.end({ error, failed: true });
  }

  complete(): void {
    this.end({ failed: false });
  }

  private end(how: { readonly error?: unknown; readonly failed: boolean }): void {
    if (this.ended) return;
    this.ended = how;
    const subscribers = this.subscribers;
    this.subscribers = [];
    for (const subscriber of subscribers) {
      if (how.failed) subscriber.error(how.error);
      else subscriber.complete();
    }
  }
}

interface Active {
  readonly session: ClientSession<E0>;
  readonly messages: Fanout<unknown>;
  readonly errors: Subject<WsError>;
  readonly decisions: Subject<Decision>;
}
type E0 = WsError;

/**
 * The RxJS face of core's `ClientSession`: streams that share one socket, opened by the first
 * subscription to any of them and closed after the last one leaves, with no timer or listener
 * left behind. `url` may be a function asked before every attempt (a socket URL handed out per
 * connection by an HTTP call).
 *
 * @example
 * ```ts
 * import { wsErrorsConnection, ofType } from "@ws-errors/rxjs";
 * import { tickdb, DepthUnavailableError } from "@ws-errors/core/catalogs/tickdb";
 *
 * const connection = wsErrorsConnection("wss://api.example/v1/realtime?api_key=KEY", { codec: tickdb });
 * connection.errors$.pipe(ofType("rate-limited")).subscribe((e) => console.warn("slow down", e.retry));
 * connection.messages$.subscribe(render);
 * connection.request({ cmd: "subscribe", data: { channel: "depth", symbols: ["AAPL.US"] } })
 *   .subscribe({ error: (e) => e instanceof DepthUnavailableError && useHttpForDepth() });
 * ```
 */
export function wsErrorsConnection<E extends WsError, T = unknown>(url: UrlSource, options: RxConnectionOptions<E>): RxConnection<E, T> {
  const state = new BehaviorSubject<ConnectionState>({ status: "idle" });
  let active: Active | undefined;
  let users = 0;
  let lastSequence: number | string | undefined;
  let currentUrl: UrlSource = url;

  function acquire(): Active {
    const createSocket = options.createSocket ?? browserSocket();
    users++;
    if (active) return active;
    const messages = new Fanout<unknown>();
    const errors = new Subject<WsError>();
    const decisions = new Subject<Decision>();
    const refresh = options.refreshCredentials;
    const scheduler = options.scheduler;
    const session: ClientSession<E0> = new ClientSession<E0>(
      currentUrl,
      {
        // The options the session shares with the connection, as given: the rest are the session's own.
        ...(options as Omit<RxConnectionOptions<E0>, "resume" | "refreshCredentials" | "createSocket" | "reauthenticate" | "resubscribe">),
        createSocket,
        resume: (seq) => options.resume?.(seq, connection),
        ...(options.reauthenticate && { reauthenticate: (error: WsError) => options.reauthenticate?.(error, connection) }),
        ...(options.resubscribe && { resubscribe: (event: ResubscribeEvent<E0>) => options.resubscribe?.(event as ResubscribeEvent<E>, connection) }),
        ...(refresh && {
          refreshCredentials: async (error: WsError) => {
            const next = await refresh(error);
            if (next.url) currentUrl = next.url;
            return next;
          },
        }),
        ...(scheduler && {
          schedule: (ms: number, run: () => void) =>
            (
              (sub) => () =>
                sub.unsubscribe()
            )(timer(ms, scheduler).subscribe(run)),
        }),
      },
      {
        state: (s) => state.next(s),
        message: (value) => messages.next(value),
        error: (error) => errors.next(error),
        decision: (decision) => decisions.next(decision),
        end: (error) => {
          // Kept for `connection.lastSequence` between sessions.
          lastSequence = session.lastSequence;
          if (error) messages.error(error);
          else messages.complete();
          errors.complete();
          decisions.complete();
          if (active?.session === session) active = undefined;
        },
      },
    );
    const created: Active = { session, messages, errors, decisions };
    active = created;
    session.start();
    return created;
  }

  function release(): void {
    users--;
    if (users > 0 || !active) return;
    const { session } = active;
    active = undefined;
    session.close(1000, "");
    state.next({ status: "idle" });
  }

  // The subscriber is handed to the stream itself, so each value reaches it with no operator in
  // between (a `finalize` layer costs every message a call); the teardown releases the connection
  // however the subscription ends.
  const shared = <V>(pick: (a: Active) => Observable<V>): Observable<V> =>
    new Observable<V>((subscriber) => {
      const inner = pick(acquire()).subscribe(subscriber);
      return () => {
        inner.unsubscribe();
        release();
      };
    });

  const connection: RxConnection<E, T> = {
    messages$: shared((a) => a.messages.observable as Observable<T>),
    errors$: shared((a) => a.errors.asObservable() as Observable<E | UncataloguedError>),
    decisions$: shared((a) => a.decisions.asObservable()),
    state$: shared(() => state.asObservable()),
    get lastSequence() {
      return active?.session.lastSequence ?? lastSequence;
    },
    send(data) {
      if (!active) throw new Error("not connected: subscribe to one of the connection's streams first");
      active.session.send(data);
    },
    request<R>(message: Record<string, unknown> | readonly unknown[]): Observable<R> {
      return new Observable<R>((subscriber) => {
        const { session } = acquire();
        session.request<R>(message).then(
          (reply) => {
            subscriber.next(reply);
            subscriber.complete();
          },
          (error: unknown) => subscriber.error(error),
        );
        return release;
      });
    },
  };
  return connection;
}

function browserSocket(): (url: string) => WebSocketLike {
  const runtime = globalThis as {
    WebSocket?: new (url: string, init?: unknown) => WebSocketLike;
    Bun?: unknown;
    Deno?: unknown;
    process?: { versions?: { node?: string } };
  };
  const native = runtime.WebSocket;
  if (typeof native !== "function")
    throw new TypeError("no WebSocket in this runtime: pass createSocket, e.g. (url) => new WebSocket(url) with WebSocket from the ws package");
  // Bun's, Deno's and Node's WebSocket take headers (a browser's would read them as a protocol):
  // the socket cannot read a refused upgrade's status, so it asks for the catalog's close instead.
  if (runtime.Bun !== undefined || runtime.Deno !== undefined || runtime.process?.versions?.node !== undefined)
    return (target) => new native(target, { headers: { [REFUSAL_HINT_HEADER]: "close" } });
  return (target) => new native(target);
}
