import { asyncScheduler, BehaviorSubject, defer, finalize, Observable, Subject, timer, type SchedulerLike, type Subscription } from "rxjs";
import { decide, getPath, parsePath, setPath, type Codec, type Decision, type ReconnectOptions, type UnknownWsError, type WsError } from "@ws-errors/core";

/* Handlers take `any`: handler properties are checked contravariantly, so the browser's and ws's
   own event types (Event, MessageEvent, CloseEvent) must be assignable here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler<E> = ((event: E & any) => void) | null;

/** The part of the WebSocket API the connection uses: the browser's, which `ws` implements too. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown>;
  onmessage: Handler<{ data: unknown }>;
  onclose: Handler<{ code: number; reason: string }>;
  onerror: Handler<unknown>;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: reports a refused upgrade with its status, headers and body. */
  on?(event: "unexpected-response", listener: (request: unknown, response: UpgradeResponseLike) => void): unknown;
}

interface UpgradeResponseLike {
  statusCode?: number;
  headers: Record<string, string | string[] | undefined>;
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  on(event: "end", listener: () => void): unknown;
}

/** Where the connection is: `reason` is the error that led to a reconnect or the end. */
export interface ConnectionState {
  readonly status: "idle" | "connecting" | "open" | "reconnecting" | "closed";
  readonly reason?: WsError;
  readonly attempt?: number;
}

export interface RxConnectionOptions<E extends WsError> {
  readonly codec: Codec<E>;
  /** Opens a socket; default `new WebSocket(url)` (browsers). In Node, pass one from `ws`, with headers. */
  readonly createSocket?: (url: string) => WebSocketLike;
  /** Reconnection backoff; `false` never reconnects. */
  readonly reconnect?: ReconnectOptions | false;
  /** After a `resume` reconnect: re-subscribe from the last sequence id seen. Replays at or below it are dropped. */
  readonly resume?: (lastSequence: number | string | undefined, connection: RxConnection<E>) => void;
  /** On `refresh-credentials`: resolve with the URL to reconnect to. Without it, such errors stop. */
  readonly refreshCredentials?: (error: WsError) => Promise<string>;
  /** Overrides a decision: return another, or `undefined` to keep the catalog's. */
  readonly decide?: (error: WsError, proposed: Decision) => Decision | undefined;
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
  readonly errors$: Observable<E | UnknownWsError>;
  readonly state$: Observable<ConnectionState>;
  /** What the connection did about each error. */
  readonly decisions$: Observable<Decision>;
  /** Sends a value (JSON unless a string); throws when not open. */
  send(data: unknown): void;
  /** Sends a command; emits its answer and completes, or errors with the typed error that answers it. */
  request<R = unknown>(message: Record<string, unknown>): Observable<R>;
  /** The highest sequence id seen on a stream message. */
  readonly lastSequence: number | string | undefined;
}

interface Session {
  readonly messages: Subject<unknown>;
  readonly errors: Subject<WsError>;
  readonly decisions: Subject<Decision>;
  socket: WebSocketLike | undefined;
  attempt: number;
  openedAt: number;
  resumeNext: boolean;
  stopped: boolean;
  lastConnectionError: WsError | undefined;
  readonly timers: Set<Subscription>;
}

interface Pending {
  readonly message: Record<string, unknown>;
  readonly next: (value: unknown) => void;
  readonly error: (error: unknown) => void;
  retries: number;
}

/**
 * A connection whose streams share one socket: opened on the first subscription to any of them,
 * closed after the last one leaves, with no timer or listener left behind.
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
export function wsErrorsConnection<E extends WsError, T = unknown>(url: string, options: RxConnectionOptions<E>): RxConnection<E, T> {
  const { codec } = options;
  const scheduler = options.scheduler ?? asyncScheduler;
  const state = new BehaviorSubject<ConnectionState>({ status: "idle" });
  const idPath = parsePath(codec.catalog.dialect.requests?.requestId);
  const commandPath = parsePath(codec.catalog.dialect.requests?.command);
  const pending = new Map<string | number, Pending>();
  let session: Session | undefined;
  let users = 0;
  let nextId = 1;
  let currentUrl = url;
  let lastSequence: number | string | undefined;

  const later = (s: Session, ms: number, action: () => void) => {
    const subscription = timer(ms, scheduler).subscribe(() => {
      s.timers.delete(subscription);
      action();
    });
    s.timers.add(subscription);
  };

  function acquire(): Session {
    if (!options.createSocket && typeof (globalThis as { WebSocket?: unknown }).WebSocket !== "function") {
      throw new TypeError("no WebSocket in this runtime: pass createSocket, e.g. (url) => new WebSocket(url) with WebSocket from the ws package");
    }
    users++;
    if (!session) {
      session = { messages: new Subject(), errors: new Subject(), decisions: new Subject(), socket: undefined, attempt: 0, openedAt: 0, resumeNext: false, stopped: false, lastConnectionError: undefined, timers: new Set() };
      open(session);
    }
    return session;
  }

  function release(): void {
    users--;
    if (users > 0 || !session) return;
    const s = session;
    session = undefined;
    s.stopped = true;
    for (const t of s.timers) t.unsubscribe();
    s.timers.clear();
    detach(s.socket);
    if (s.socket && s.socket.readyState <= 1) s.socket.close(1000, "");
    state.next({ status: "idle" });
  }

  function detach(socket: WebSocketLike | undefined): void {
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    // Not null: `ws` emits "error" when a socket still connecting is closed, and an EventEmitter
    // "error" with no listener throws.
    socket.onerror = () => undefined;
  }

  function open(s: Session): void {
    state.next({ status: s.attempt === 0 ? "connecting" : "reconnecting", ...(s.attempt > 0 && { attempt: s.attempt }) });
    const socket = options.createSocket ? options.createSocket(currentUrl) : (new (globalThis as unknown as { WebSocket: new (url: string) => WebSocketLike }).WebSocket(currentUrl));
    s.socket = socket;
    let refused = false;
    socket.on?.("unexpected-response", (_request, response) => {
      refused = true;
      const chunks: Uint8Array[] = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        const body = new TextDecoder().decode(concat(chunks));
        const error = codec.decodeUpgrade({ status: response.statusCode ?? 0, headers, body });
        detach(socket);
        socket.close();
        if (s.stopped) return;
        if (error) fail(s, error);
        else end(s, undefined);
      });
    });
    socket.onopen = () => {
      s.openedAt = Date.now();
      s.lastConnectionError = undefined;
      state.next({ status: "open" });
      if (s.resumeNext) {
        s.resumeNext = false;
        options.resume?.(lastSequence, connection);
      }
    };
    socket.onmessage = (event) => onMessage(s, event.data);
    socket.onerror = () => undefined; // the close that follows decides
    socket.onclose = (event) => {
      if (refused || s.stopped) return;
      const error = codec.decodeClose({ code: event.code, reason: event.reason }) ?? s.lastConnectionError ?? (event.code === 1000 || event.code === 1001 ? undefined : codec.decodeClose({ code: 1006, reason: "" }));
      if (error) fail(s, error);
      else end(s, undefined);
    };
  }

  function onMessage(s: Session, data: unknown): void {
    let value: unknown;
    try {
      value = JSON.parse(typeof data === "string" ? data : String(data));
    } catch {
      return void s.messages.next(data);
    }
    const errors = codec.decodeFrameErrors(value);
    if (errors.length > 0) {
      const settled = new Set<string | number>();
      for (const error of errors) fail(s, error, settled);
      return;
    }
    if (pending.size > 0) {
      const id = idPath ? getPath(value, idPath) : undefined;
      const command = commandPath ? getPath(value, commandPath) : undefined;
      const key = (typeof id === "string" || typeof id === "number" ? id : undefined) ?? (typeof command === "string" ? command : undefined);
      const waiting = key === undefined ? undefined : pending.get(key);
      if (waiting) {
        pending.delete(key as string | number);
        return void waiting.next(value);
      }
    }
    const seq = codec.readSequence(value);
    if (seq !== undefined) {
      if (lastSequence !== undefined && Number(seq) <= Number(lastSequence)) return; // a replayed duplicate
      lastSequence = seq;
    }
    s.messages.next(value);
  }

  function fail(s: Session, error: WsError, settled?: Set<string | number>): void {
    s.errors.next(error);
    const key = error.requestId ?? (error.scope !== "connection" ? error.command : undefined);
    const waiting = key === undefined ? undefined : pending.get(key);
    if (error.layer !== "frame" && s.openedAt > 0 && Date.now() - s.openedAt >= (options.reconnect ? (options.reconnect.minUptimeMs ?? 5_000) : 0)) s.attempt = 0;
    const proposed = decide(error, {
      attempt: s.attempt,
      reconnect: options.reconnect ?? {},
      answersRequest: waiting !== undefined || (key !== undefined && settled?.has(key) === true),
      canRefresh: options.refreshCredentials !== undefined,
      canResume: codec.catalog.dialect.sequence !== undefined,
      ...(options.defaultRetryMs !== undefined && { defaultRetryMs: options.defaultRetryMs }),
    });
    const decision = options.decide?.(error, proposed) ?? proposed;
    s.decisions.next(decision);
    if (key !== undefined && (waiting || settled?.has(key))) {
      if (!waiting) return;
      settled?.add(key);
      if (decision.action === "retry-later" && waiting.retries < (options.maxMessageRetries ?? 3)) {
        waiting.retries++;
        later(s, decision.delayMs, () => pending.get(key) === waiting && trySend(waiting.message));
      } else {
        pending.delete(key);
        waiting.error(error);
      }
      return;
    }
    if (error.layer === "frame") {
      s.lastConnectionError = error;
      return;
    }
    act(s, decision);
  }

  function act(s: Session, decision: Decision): void {
    s.openedAt = 0;
    detach(s.socket);
    if (decision.action === "stop" || decision.action === "none") return end(s, decision.error);
    s.attempt = decision.attempt ?? s.attempt + 1;
    s.resumeNext = s.resumeNext || decision.action === "resume";
    state.next({ status: "reconnecting", reason: decision.error, attempt: s.attempt });
    for (const [key, waiting] of pending) {
      pending.delete(key);
      waiting.error(decision.error);
    }
    later(s, decision.delayMs, () => {
      if (s.stopped) return;
      if (decision.action === "refresh-credentials" && options.refreshCredentials) {
        options.refreshCredentials(decision.error).then(
          (next) => {
            currentUrl = next;
            if (!s.stopped) open(s);
          },
          () => end(s, decision.error),
        );
        return;
      }
      open(s);
    });
  }

  /** The connection is over: the streams end, with the error that ended it if there was one. */
  function end(s: Session, error: WsError | undefined): void {
    if (s.stopped) return;
    s.stopped = true;
    detach(s.socket);
    state.next({ status: "closed", ...(error && { reason: error }) });
    for (const [key, waiting] of pending) {
      pending.delete(key);
      waiting.error(error ?? new Error("the connection closed"));
    }
    if (error) s.messages.error(error);
    else s.messages.complete();
    s.errors.complete();
    s.decisions.complete();
    if (session === s) session = undefined;
  }

  function trySend(message: unknown): boolean {
    const socket = session?.socket;
    if (!socket || socket.readyState !== 1) return false;
    socket.send(typeof message === "string" ? message : JSON.stringify(message));
    return true;
  }

  const shared = <V>(pick: (s: Session) => Observable<V>): Observable<V> =>
    defer(() => {
      const s = acquire();
      return pick(s).pipe(finalize(release));
    });

  const connection: RxConnection<E, T> = {
    messages$: shared((s) => s.messages.asObservable() as Observable<T>),
    errors$: shared((s) => s.errors.asObservable() as Observable<E | UnknownWsError>),
    decisions$: shared((s) => s.decisions.asObservable()),
    state$: shared(() => state.asObservable()),
    get lastSequence() {
      return lastSequence;
    },
    send(data) {
      if (!trySend(data)) throw new Error("not connected");
    },
    request<R>(message: Record<string, unknown>): Observable<R> {
      return new Observable<R>((subscriber) => {
        acquire();
        let body = message;
        let key: string | number | undefined = idPath ? (getPath(message, idPath) as string | number | undefined) : undefined;
        if (key === undefined && idPath) {
          key = nextId++;
          body = structuredClone(message);
          setPath(body, idPath, key);
        }
        key ??= commandPath ? (getPath(message, commandPath) as string | undefined) : undefined;
        if (key === undefined) {
          subscriber.error(new TypeError("the message has no command or request id to correlate its answer with"));
          return release;
        }
        const k = key;
        const entry: Pending = { message: body, next: (v) => (subscriber.next(v as R), subscriber.complete()), error: (e) => subscriber.error(e), retries: 0 };
        pending.set(k, entry);
        // Sent once the socket is open, if it is not yet.
        let waitForOpen: Subscription | undefined;
        if (!trySend(body)) waitForOpen = state.subscribe((st) => st.status === "open" && trySend(body) && waitForOpen?.unsubscribe());
        return () => {
          waitForOpen?.unsubscribe();
          if (pending.get(k) === entry) pending.delete(k);
          release();
        };
      });
    },
  };
  return connection;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
