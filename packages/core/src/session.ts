import type { Decoder } from "./codec";
import { decide, type Decision } from "./decide";
import type { WsError } from "./errors";
import { getPath, parsePath, setPath } from "./path";
import { isCleanClose } from "./retry-policy";
import { HANDLED, RequestError, type SessionListener, type SessionOptions, type SessionState, type SocketLike, type UrlSource } from "./session-shapes";
import { concat, detach, EMITTER_LISTENERS, eventEmitterOf } from "./session-socket";
import { teeListener } from "./telemetry";

export {
  HANDLED,
  isHandled,
  RequestError,
  type ResubscribeEvent,
  type SessionListener,
  type SessionOptions,
  type SessionState,
  type SocketLike,
  type UpgradeResponseLike,
  type UrlSource,
} from "./session-shapes";

interface Pending {
  /** The request id, or the command when replies correlate by command. */
  readonly key: string | number;
  /** Where it is filed in `pending`. */
  readonly slot: string | number | symbol;
  readonly command: string | undefined;
  readonly text: string;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: unknown) => void;
  cancelTimer: () => void;
  retries: number;
  /** Not sent yet: the connection was not open when it was made. */
  waiting: boolean;
}

/* Unref'd, so an idle client never keeps a Node process alive; a request's timeout is not
   (`keepAlive`): a script awaiting an answer while the client reconnects must not exit under it. */
const defaultSchedule = (ms: number, run: () => void, keepAlive = false): (() => void) => {
  const timer = setTimeout(run, ms) as unknown as { unref?: () => void };
  if (!keepAlive) timer.unref?.();
  return () => clearTimeout(timer as unknown as ReturnType<typeof setTimeout>);
};

/**
 * One client session over any WebSocket: the behaviour both the Node client and the RxJS
 * connection expose, written once. It owns the socket's lifecycle, the capture of refused
 * upgrades, requests (correlated by the dialect's id or command, with timeouts, sent when the
 * connection opens if made before), resume from the last sequence id with replayed duplicates
 * dropped, and the decision loop: every error gets the catalog's decision (or the user's
 * override), and the session is the only one that retries.
 *
 * @example
 * ```ts
 * const session = new ClientSession("wss://api.example/ws", { codec, createSocket: (url) => new WebSocket(url) }, {
 *   message: (value) => render(value),
 *   error: (error) => console.warn(error.kind, error.retry.directive),
 * });
 * session.start();
 * const ack = await session.request({ type: "subscribe", channel: "prices" });
 * ```
 */
export class ClientSession<E extends WsError = WsError> {
  /** The highest sequence id seen on a stream message. */
  lastSequence: number | string | undefined;
  private current: SessionState = { status: "idle" };
  private socket: SocketLike | undefined;
  private url: string;
  private source: UrlSource;
  private attempt = 0;
  private openedAt = 0;
  private firstFailureAt = 0;
  private resumeNext = false;
  /* A reconnect is under way that did not resume: what the client had subscribed to is gone. */
  private reopened: { error: WsError } | undefined;
  private ended = false;
  private lastConnectionError: WsError | undefined;
  /* The error frame the last message was, whatever it answered: a close right after it is its end. */
  private lastFrameError: WsError | undefined;
  private transportCause: unknown;
  private cancelReconnect: (() => void) | undefined;
  private nextId = 1;
  /* Keyed by request id, or by a private token when replies correlate by command: two requests of
     one command may then wait at once, answered oldest first. */
  private readonly pending = new Map<string | number | symbol, Pending>();
  private readonly uncorrelatedErrors: boolean;
  private readonly queued: string[] = [];
  private readonly idPath;
  /* Where replies carry the id: `requests.replyId`, else where requests do. */
  private readonly replyPath;
  private readonly commandPath;
  /* Every delay goes through here, so the end of the session cancels them all: nothing it started outlives it. */
  private readonly timers = new Set<() => void>();
  /* The codec, read once from the options and from this field everywhere: every message calls it
     twice, and read through the options object there, the node client's receive figure measured
     1.5-2% lower (bench/src/receive.ts, the same pooled rounds before and after). */
  private readonly codec: Decoder<E>;

  private readonly listener: SessionListener<E>;

  constructor(
    url: UrlSource,
    private readonly options: SessionOptions<E>,
    listener: SessionListener<E> = {},
  ) {
    // Metrics hear what the facade hears, through the one session both facades run on.
    this.listener = options.telemetry ? teeListener(listener, options.telemetry) : listener;
    this.source = url;
    this.url = typeof url === "string" ? url : "";
    this.codec = options.codec;
    this.idPath = parsePath(options.codec.catalog.dialect.requests?.requestId);
    this.replyPath = parsePath(options.codec.catalog.dialect.requests?.replyId) ?? this.idPath;
    this.commandPath = parsePath(options.codec.catalog.dialect.requests?.command);
    this.uncorrelatedErrors = options.codec.catalog.dialect.requests?.errorReplies === "uncorrelated";
  }

  private schedule(ms: number, run: () => void, keepAlive = false): () => void {
    const done = () => {
      this.timers.delete(cancel);
      run();
    };
    const cancel = this.options.schedule ? this.options.schedule(ms, done) : defaultSchedule(ms, done, keepAlive);
    this.timers.add(cancel);
    return () => {
      this.timers.delete(cancel);
      cancel();
    };
  }

  get state(): SessionState {
    return this.current;
  }

  /** Opens the first connection. */
  start(): void {
    if (this.current.status === "idle") this.open();
  }

  /**
   * Sends a value (JSON unless a string). Before the connection opens it is queued, up to
   * `maxQueued`, and sent in order when it does; once the session has ended it throws.
   */
  send(data: unknown): void {
    const text = typeof data === "string" ? data : this.write(data);
    if (this.ended) throw new RequestError("the session has ended", "closed");
    if (this.socket?.readyState === 1) return this.socket.send(text);
    if (this.queued.length >= (this.options.maxQueued ?? 100))
      throw new RequestError(`not connected, and ${this.queued.length} messages already wait for the connection`, "closed");
    this.queued.push(text);
  }

  /**
   * Sends a command and resolves with its answer, or rejects with the typed error that answers
   * it (carrying all of them in `errors` when one frame answers with several). A `retry-later`
   * answer is retried after its delay, up to `maxMessageRetries`. Made before the connection
   * opens, it waits for it, within the same timeout. The request id goes where the dialect says.
   */
  request<R = unknown>(message: Record<string, unknown> | readonly unknown[]): Promise<R> {
    let id = this.idPath ? (getPath(message, this.idPath) as unknown) : undefined;
    let body = message;
    // A null id is a slot left for it (`[null, null, "room:lobby", "phx_join", {}]`): filled as a missing one is.
    if ((id === undefined || id === null) && this.idPath) {
      id = this.nextId++;
      body = structuredClone(message) as Record<string, unknown>;
      setPath(body as Record<string, unknown>, this.idPath, id);
    }
    const command = this.commandPath ? getPath(message, this.commandPath) : undefined;
    const key: string | number | undefined = typeof id === "string" || typeof id === "number" ? id : typeof command === "string" ? command : undefined;
    if (key === undefined) return Promise.reject(new TypeError("the message has no command or request id to correlate its answer with"));
    if (this.ended) return Promise.reject(new RequestError("the session has ended", "closed", { cause: this.current.reason }));
    const slot = key === id ? key : Symbol(key);
    // A span for the request, its context carried where the dialect has a place for it.
    const named = typeof command === "string" ? command : undefined;
    const traced = this.options.telemetry?.trace?.(named);
    const tracePath = traced && parsePath(this.codec.catalog.dialect.requests?.traceContext);
    if (tracePath) {
      if (body === message) body = structuredClone(message) as Record<string, unknown>;
      setPath(body as Record<string, unknown>, tracePath, traced?.traceparent);
    }
    const answered = new Promise<R>((resolve, reject) => {
      const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
      const entry: Pending = {
        key,
        slot,
        command: typeof command === "string" ? command : undefined,
        text: this.write(body),
        resolve: resolve as (reply: unknown) => void,
        reject,
        cancelTimer: () => undefined,
        retries: 0,
        waiting: this.socket?.readyState !== 1,
      };
      entry.cancelTimer = this.schedule(
        timeoutMs,
        () => {
          if (this.pending.get(slot) !== entry) return;
          this.pending.delete(slot);
          const never = entry.waiting && this.openedAt === 0;
          const cause = this.current.reason ?? this.transportCause;
          // Says what would have counted as the answer: a reply without the id is the usual mistake.
          const requests = this.options.codec.catalog.dialect.requests;
          const answer = key === id ? `${requests?.requestId} ${JSON.stringify(id)}` : `${requests?.command} ${JSON.stringify(command)}`;
          reject(
            new RequestError(
              `no answer to ${String(key)} within ${timeoutMs} ms${never ? ": the connection never opened" : ` (an answer carries ${answer})`}`,
              "timeout",
              cause === undefined ? undefined : { cause },
            ),
          );
        },
        true,
      );
      this.pending.set(slot, entry);
      if (!entry.waiting) this.socket?.send(entry.text);
    });
    this.options.telemetry?.request?.(answered, named);
    traced?.settle(answered);
    return answered;
  }

  /** Ends the session for good: no reconnect, requests rejected, the socket closed (its close still reported). */
  close(code = 1000, reason = ""): void {
    const socket = this.socket;
    this.finish(undefined, false);
    if (socket && socket.readyState <= 1) socket.close(code, reason);
  }

  /* A value as the text it is sent as: JSON, or the dialect's grammar (a text protocol's frames). */
  private write(value: unknown): string {
    const grammar = this.codec.grammar;
    return grammar ? grammar.write(value) : JSON.stringify(value);
  }

  private setState(state: SessionState): void {
    this.current = state;
    this.listener.state?.(state);
  }

  /* `target`: where an error said to reconnect, for this attempt only (the source stays for the next). */
  private open(target?: string): void {
    this.setState({ status: this.attempt === 0 ? "connecting" : "reconnecting", ...(this.attempt > 0 && { attempt: this.attempt }) });
    this.transportCause = undefined;
    const source = target ?? this.source;
    if (typeof source === "string") return this.connect(source);
    // The URL is asked for before every attempt. A provider that fails is a failed attempt: told
    // through hookError, then decided as a connection that never opened (backoff, or the end).
    const failed = (error: unknown) => {
      if (this.ended) return;
      this.listener.hookError?.(error);
      this.transportCause = error;
      this.closed(1006);
    };
    let url: string | Promise<string>;
    try {
      url = source(this.attempt);
    } catch (error) {
      return failed(error);
    }
    if (typeof url === "string") return this.connect(url);
    url.then((next) => {
      if (!this.ended) this.connect(next);
    }, failed);
  }

  /* `standby`: make before break. The new socket becomes the session's only once it opens; until
     then the old one goes on, and a new one that fails is dropped without a decision. */
  private connect(url: string, standby = false): void {
    const socket = this.options.createSocket(url);
    if (!standby) {
      this.url = url;
      this.socket = socket;
    }
    let refused = false;
    socket.on?.("unexpected-response", (_request, response) => {
      refused = true;
      const chunks: Uint8Array[] = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        const error = this.codec.decodeUpgrade({ status: response.statusCode ?? 0, headers, body: new TextDecoder().decode(concat(chunks)) });
        detach(socket);
        socket.close();
        if (this.ended || this.socket !== socket) return;
        if (error) this.fail(error);
        else this.closed(1006);
      });
    });
    socket.onopen = () => {
      if (standby) {
        if (this.ended) return void socket.close(1000, "");
        const old = this.socket;
        this.url = url;
        this.socket = socket;
        // Requests sent on the old connection may be answered there or never: they fail, as on a reconnect.
        for (const entry of [...this.pending.values()]) {
          if (entry.waiting) continue;
          this.settle(entry);
          entry.reject(new RequestError(`${String(entry.key)}: the connection moved before the answer`, "closed"));
        }
        // Still read until its close completes: what the old node sent before it is not lost. Its
        // close is no longer the session's (the socket is not the current one), so nothing decides it.
        if (old && old.readyState <= 1) old.close(1000, "");
      }
      this.openedAt = Date.now();
      this.lastConnectionError = undefined;
      this.lastFrameError = undefined;
      this.setState({ status: "open" });
      this.listener.open?.(this.url);
      for (const text of this.queued.splice(0)) socket.send(text);
      for (const entry of this.pending.values()) {
        if (!entry.waiting) continue;
        entry.waiting = false;
        socket.send(entry.text);
      }
      const reopened = this.reopened;
      this.reopened = undefined;
      if (this.resumeNext) {
        this.resumeNext = false;
        // Read now: frames that arrived with the upgrade are delivered before any microtask runs.
        const from = this.lastSequence;
        this.listener.resumed?.({ from });
        Promise.resolve()
          .then(() => this.options.resume?.(from))
          .catch((error: unknown) => this.listener.hookError?.(error));
      } else if (reopened && this.options.resubscribe) {
        // A new connection has none of the old one's subscriptions, and nothing to resume them from.
        const hook = this.options.resubscribe;
        Promise.resolve()
          .then(() => hook({ reason: "reconnect", error: reopened.error }))
          .catch((error: unknown) => this.listener.hookError?.(error));
      }
    };
    const emitter = eventEmitterOf(socket);
    if (emitter) {
      // ws's own "message" event: its `onmessage` attribute would wrap every message in a
      // MessageEvent first, the largest cost a client pays per message after JSON.parse.
      // The session's own method, bound, with no closure around it: one call less per message.
      const onMessage = this.onMessage.bind(this) as (data: unknown, isBinary: boolean) => void;
      emitter.on("message", onMessage);
      EMITTER_LISTENERS.set(socket, onMessage);
    } else {
      socket.onmessage = (event) => this.onMessage(event.data);
    }
    // The close that follows decides; what the transport said is kept as the cause.
    socket.onerror = (event) => {
      this.transportCause = event?.error ?? (event?.message ? new Error(event.message) : this.transportCause);
    };
    socket.onclose = (event) => {
      if (refused || this.socket !== socket) return;
      detach(socket);
      // A code no close frame can carry (Deno reports a connection that never opened as 0) is the
      // abnormal closure every other runtime reports as 1006.
      const code = event.code >= 1000 ? event.code : 1006;
      this.listener.close?.({ code, reason: event.reason });
      if (this.ended) return;
      this.closed(code, event.reason);
    };
  }

  /* A close: the catalog's error for it, the last connection-scope error frame, or a clean end. */
  private closed(code: number, reason = ""): void {
    // A clean close after a connection-scope error frame ends the connection for that error: it is
    // decided as the close it amounts to (a frame alone is only ever "noted"). So does one right
    // after an error frame that answered a request (a server that fails the connection for an
    // error it also says to a request: where error replies are uncorrelated, the client cannot
    // tell them apart).
    // The frame right before the close, where its entry says the API closes after it; else the last
    // connection-scope error frame, or that frame.
    const previous = this.lastFrameError;
    const last = previous && this.codec.entryOf(previous)?.close?.afterFrame ? previous : (this.lastConnectionError ?? previous);
    const ending =
      last &&
      Object.assign(Object.create(Object.getPrototypeOf(last) as object) as WsError, last, { layer: "close", wire: { closeCode: code, closeReason: reason } });
    const close = last && this.codec.entryOf(last)?.close;
    // Its close may mean something else for the client than its frame (`close.retry`).
    if (ending && close?.retry) Object.defineProperty(ending, "retry", { value: close.retry, writable: true, configurable: true, enumerable: false });
    const decoded = this.codec.decodeClose({ code, reason });
    // A close the catalog only knows as a standard code (a server going away, a bare 1008 or 1011)
    // right after such a frame: the frame says why, not the generic close. Where the catalog says
    // the API closes after the frame with a code it does not document, whatever close follows is it.
    const error =
      (decoded === null || decoded.id === "uncatalogued" || close?.afterFrame ? ending : undefined) ??
      decoded ??
      (isCleanClose(code) ? undefined : this.codec.decodeClose({ code: 1006, reason: "" }));
    if (!error) return this.finish(undefined);
    if (this.transportCause !== undefined && error.cause === undefined)
      Object.defineProperty(error, "cause", { value: this.transportCause, configurable: true, writable: true });
    this.fail(error);
  }

  /* `isBinary` is ws's: false for a text frame, which ws hands over as a Buffer (`toString()`, not
     `String()`: on a Buffer, String() costs two thirds more, measured 150 ns against 90). */
  private onMessage(data: unknown, isBinary?: boolean): void {
    if (this.ended) return;
    const text = isBinary === false ? (data as { toString(): string }).toString() : data;
    if (typeof text !== "string") return void this.listener.message?.(data);
    let value: unknown;
    const grammar = this.codec.grammar;
    if (grammar) {
      value = grammar.parse(text);
      if (value === undefined) return void this.listener.message?.(text);
    } else
      try {
        value = JSON.parse(text);
      } catch {
        return void this.listener.message?.(text);
      }
    const codec = this.codec;
    const errors = codec.decodeFrameErrors(value);
    this.lastFrameError = errors[0];
    if (errors.length > 0) return this.failFrame(errors);
    if (this.pending.size > 0) {
      const entry = this.pendingFor(value);
      if (entry) {
        this.settle(entry);
        return entry.resolve(value);
      }
    }
    const seq = codec.readSequence(value);
    if (seq !== undefined) {
      const last = this.lastSequence;
      // Numbers compare as they are (the common case, and no conversion per message); strings by value.
      if (last !== undefined && (typeof seq === "number" && typeof last === "number" ? seq <= last : Number(seq) <= Number(last)))
        return void this.options.telemetry?.duplicate?.(); // a replayed duplicate
      this.lastSequence = seq;
    }
    this.listener.message?.(value);
  }

  private pendingFor(value: unknown): Pending | undefined {
    const id = this.replyPath ? getPath(value, this.replyPath) : undefined;
    if (typeof id === "string" || typeof id === "number") return this.byId(id);
    const command = this.commandPath ? getPath(value, this.commandPath) : undefined;
    return typeof command === "string" ? this.oldest(command) : undefined;
  }

  /* A request by the id an answer echoes: an id the session made (a number) comes back as text in
     protocols whose fields are all text (headers), and is the same id. */
  private byId(id: string | number): Pending | undefined {
    return this.pending.get(id) ?? (typeof id === "string" && id !== "" ? this.pending.get(Number(id)) : undefined);
  }

  /** The oldest request sent (not still waiting for the connection) of a command, or of any command. */
  private oldest(command: string | undefined): Pending | undefined {
    for (const entry of this.pending.values()) {
      if (!entry.waiting && (command === undefined || entry.command === command)) return entry;
    }
    return undefined;
  }

  private settle(entry: Pending): void {
    entry.cancelTimer();
    this.pending.delete(entry.slot);
  }

  /* The errors of one frame: reported each, decided once for the request they answer. */
  private failFrame(errors: readonly WsError[]): void {
    const first = errors[0] as WsError;
    if (errors.length > 1) Object.defineProperty(first, "errors", { value: errors, configurable: true });
    let entry: Pending | undefined;
    if (first.requestId !== undefined) entry = this.byId(first.requestId);
    else if (first.scope !== "connection") {
      // Without an id, the command says which request; where error replies are uncorrelated, the
      // oldest one of that command (or of the connection) is the one answered.
      entry = this.idPath === undefined && first.command !== undefined ? this.oldest(first.command) : undefined;
      if (entry === undefined && this.uncorrelatedErrors) entry = this.oldest(first.command) ?? this.oldest(undefined);
    }
    for (const error of errors.slice(1)) this.listener.error?.(error);
    this.fail(first, entry);
  }

  /** Reports an error and carries out the decision on it. */
  private fail(error: WsError, entry?: Pending): void {
    this.listener.error?.(error);
    if (
      error.layer !== "frame" &&
      this.openedAt > 0 &&
      Date.now() - this.openedAt >= (this.options.reconnect ? (this.options.reconnect.minUptimeMs ?? 5_000) : 0)
    ) {
      this.attempt = 0;
      this.firstFailureAt = 0;
    }
    if (error.layer !== "frame" && this.firstFailureAt === 0) this.firstFailureAt = Date.now();
    const proposed = decide(error, {
      attempt: this.attempt,
      reconnect: this.options.reconnect ?? {},
      answersRequest: entry !== undefined,
      canRefresh: this.options.refreshCredentials !== undefined,
      canResume: this.codec.catalog.dialect.sequence !== undefined,
      canReauthenticate: this.options.reauthenticate !== undefined,
      canResubscribe: this.options.resubscribe !== undefined,
      ...(this.firstFailureAt > 0 && { failingSince: this.firstFailureAt }),
      ...(this.options.defaultRetryMs !== undefined && { defaultRetryMs: this.options.defaultRetryMs }),
    });
    const decision = this.options.decide?.(error, proposed) ?? proposed;
    this.listener.decision?.(decision);

    if (entry && error.layer === "frame") {
      if (decision.action === "retry-later" && entry.retries < (this.options.maxMessageRetries ?? 3)) {
        entry.retries++;
        this.schedule(decision.delayMs, () => {
          if (this.pending.get(entry.slot) !== entry) return;
          if (this.socket?.readyState === 1) this.socket.send(entry.text);
          else entry.waiting = true;
        });
        return;
      }
      if (decision.action === "reauthenticate" && entry.retries < (this.options.maxMessageRetries ?? 3)) {
        entry.retries++;
        // Authenticated again, the request goes out again: the answer it got was about the token.
        this.onConnection(decision, () => {
          if (this.pending.get(entry.slot) !== entry) return;
          if (this.socket?.readyState === 1) this.socket.send(entry.text);
          else entry.waiting = true;
        });
        return;
      }
      this.settle(entry);
      // The directive was applied here: an operator downstream must not apply it again.
      Object.defineProperty(error, HANDLED, { value: true });
      return entry.reject(error);
    }
    if (error.layer === "frame") {
      // A connection-scope frame: what happens next is decided when (if) the socket closes, unless
      // it is dealt with on the open connection (authenticated again, subscribed again).
      this.lastConnectionError = error;
      if (decision.action === "reauthenticate" || decision.action === "resubscribe") this.onConnection(decision);
      else if (decision.action === "reconnect" && decision.url !== undefined) {
        const url = decision.url;
        this.listener.reconnecting?.({ attempt: this.attempt, delayMs: decision.delayMs, action: decision.action });
        this.schedule(decision.delayMs, () => {
          if (!this.ended) this.connect(url, true);
        });
      }
      return;
    }
    this.act(decision);
  }

  /* A decision carried out on the open connection, after its delay, through the user's hook. Once
     the hook has done it, a close that follows is no longer this error's. */
  private onConnection(decision: Decision, then?: () => void): void {
    const { error } = decision;
    const hook =
      decision.action === "reauthenticate"
        ? () => this.options.reauthenticate?.(error as E)
        : () => this.options.resubscribe?.({ reason: "error", error: error as E });
    this.schedule(decision.delayMs, () => {
      if (this.ended) return;
      Promise.resolve()
        .then(hook)
        .then(
          () => {
            if (this.lastConnectionError === error) this.lastConnectionError = undefined;
            if (this.lastFrameError === error) this.lastFrameError = undefined;
            then?.();
          },
          (failure: unknown) => this.listener.hookError?.(failure),
        );
    });
  }

  private act(decision: Decision): void {
    this.openedAt = 0;
    if (decision.gaveUp)
      this.listener.gaveUp?.({ attempts: this.attempt, elapsedMs: this.firstFailureAt ? Date.now() - this.firstFailureAt : 0, error: decision.error });
    if (decision.action === "stop" || decision.action === "none") return this.finish(decision.error);
    this.attempt = decision.attempt ?? this.attempt + 1;
    this.resumeNext = this.resumeNext || decision.action === "resume";
    this.reopened = { error: decision.error };
    this.setState({
      status: "reconnecting",
      reason: decision.error,
      attempt: this.attempt,
      ...(this.transportCause !== undefined && { cause: this.transportCause }),
    });
    // Requests already sent may or may not have been handled: they fail. Those still waiting for
    // an open were never sent, and go out on the next connection.
    for (const entry of [...this.pending.values()]) {
      if (entry.waiting) continue;
      this.settle(entry);
      entry.reject(new RequestError(`${String(entry.key)}: the connection closed before the answer`, "closed", { cause: decision.error }));
    }
    this.listener.reconnecting?.({ attempt: this.attempt, delayMs: decision.delayMs, action: decision.action });
    this.cancelReconnect = this.schedule(decision.delayMs, () => {
      this.cancelReconnect = undefined;
      if (this.ended) return;
      if (decision.action === "refresh-credentials" && this.options.refreshCredentials) {
        this.options.refreshCredentials(decision.error).then(
          (next) => {
            // A URL the refresh names replaces the source, a provider included.
            if (next?.url) this.source = this.url = next.url;
            if (!this.ended) this.open();
          },
          (error: unknown) => {
            this.listener.hookError?.(error);
            this.finish(decision.error);
          },
        );
        return;
      }
      this.open(decision.url);
    });
  }

  /** The session is over: requests rejected, the listener told once. */
  private finish(error: WsError | undefined, detachSocket = true): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelReconnect?.();
    for (const cancel of [...this.timers]) cancel();
    this.timers.clear();
    if (this.socket && detachSocket) detach(this.socket);
    this.queued.length = 0;
    for (const entry of [...this.pending.values()]) {
      this.settle(entry);
      // The catalog error that ended the session is what the request failed with (`instanceof
      // BadTokenError` works), as its own copy carrying the request it ended.
      entry.reject(error === undefined ? new RequestError(`${String(entry.key)}: the session ended`, "closed") : forRequest(error, entry));
    }
    this.setState({ status: "closed", ...(error && { reason: error }), ...(this.transportCause !== undefined && { cause: this.transportCause }) });
    this.listener.end?.(error);
  }
}

/* A copy of the error that ended the session, for one pending request: its id and command are the
   request's, and the session has applied its directive (so `retryByCatalog` does not again). */
function forRequest(error: WsError, entry: Pending): WsError {
  const copy = Object.create(Object.getPrototypeOf(error) as object, Object.getOwnPropertyDescriptors(error)) as WsError;
  return Object.defineProperties(copy, {
    requestId: { value: entry.key === entry.slot ? entry.key : error.requestId, enumerable: true, configurable: true, writable: true },
    command: { value: entry.command ?? error.command, enumerable: true, configurable: true, writable: true },
    [HANDLED]: { value: true },
  });
}
