import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { decide, parsePath, setPath, type Codec, type Decision, type ReconnectOptions, type WsError } from "@ws-errors/core";
import { WebSocket, type ClientOptions, type RawData } from "ws";
import { requestFields } from "./catalog";

export type { Decision };

export type ClientState = "connecting" | "open" | "reconnecting" | "closed";

export interface ConnectOptions<E extends WsError = WsError> {
  /** The catalog codec of the API. */
  readonly codec: Codec<E>;
  /** Options for `ws` (headers, protocols, agent...). */
  readonly ws?: ClientOptions;
  /** Reconnection backoff; `false` never reconnects. */
  readonly reconnect?: ReconnectOptions | false;
  /**
   * Called after a reconnect that the `resume` directive asked for, with the last sequence id seen:
   * re-subscribe from there (Collective2: `resume_from`). Messages at or below it are dropped, so
   * nothing arrives twice.
   */
  readonly resume?: (lastSequence: number | string | undefined, client: WsErrorClient<E>) => void | Promise<void>;
  /** Called on `refresh-credentials`; resolves with options for the next attempt. Without it, the client stops. */
  readonly refreshCredentials?: (error: E | WsError) => Promise<{ readonly url?: string; readonly ws?: ClientOptions }>;
  /** Overrides a decision: return a different one, or `undefined` to keep the catalog's. */
  readonly decide?: (error: E | WsError, proposed: Decision) => Decision | undefined;
  /** How long `request()` waits for its answer (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** How often `request()` retries a message answered with `retry-later` (default 3). */
  readonly maxMessageRetries?: number;
  /** Delay for `retry-later` when the error carries none (default 1 s). */
  readonly defaultRetryMs?: number;
}

interface Pending {
  readonly message: Record<string, unknown>;
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
  retries: number;
  /** Made before the connection was open: sent when it opens. */
  waiting: boolean;
}

/** Why a request failed without a catalog error. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly reason: "timeout" | "closed",
  ) {
    super(message);
    this.name = "RequestError";
  }
}

/**
 * A WebSocket client on `ws` that reports every failure as a typed catalog error and lets the
 * catalog decide what happens next.
 *
 * Events: `open`; `message` (data frames, parsed); `error` (a typed {@link WsError} from the
 * upgrade, a frame or a close); `decision` (what the client does about it); `reconnecting`
 * (`{ attempt, delayMs }`); `resumed` (`{ from }`); `close` (`{ code, reason }`); `stopped` (the
 * client will not reconnect).
 *
 * @example
 * ```ts
 * import { connect } from "@ws-errors/node";
 * import { collective2 } from "@ws-errors/core/catalogs/collective2";
 *
 * const client = connect("wss://api.example/ws", {
 *   codec: collective2,
 *   ws: { headers: { authorization: `Bearer ${key}` } },
 *   resume: (seq, c) => c.send({ msg_type: "subscription.request", payload: { action: "subscribe", channel: "strategy.signal", strategy_id: 1, resume_from: String(seq ?? 0) } }),
 * });
 * client.on("error", (error) => console.log(error.kind, error.retry.directive));
 * for await (const message of client) console.log(message);
 * ```
 */
export class WsErrorClient<E extends WsError = WsError> extends EventEmitter {
  state: ClientState = "connecting";
  /** The highest sequence id seen on a stream message. */
  lastSequence: number | string | undefined;
  private socket: WebSocket | undefined;
  private attempt = 0;
  private openedAt = 0;
  private url: string;
  private wsOptions: ClientOptions | undefined;
  private resumeNext = false;
  private stopped = false;
  private lastConnectionError: WsError | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private readonly pending = new Map<string | number, Pending>();
  private readonly readRequest: ReturnType<typeof requestFields>;
  private readonly idPath;
  private readonly commandPath;
  private readonly queue: unknown[] = [];
  private readonly waiters: ((result: IteratorResult<unknown>) => void)[] = [];
  /* Messages are buffered for iteration only while an iterator exists: a client read through
     `message` events alone must not keep every message it ever received. */
  private iterators = 0;

  constructor(
    url: string,
    readonly options: ConnectOptions<E>,
  ) {
    super();
    this.url = url;
    this.wsOptions = options.ws;
    this.readRequest = requestFields(options.codec as Codec<WsError>);
    this.idPath = parsePath(options.codec.catalog.dialect.requests?.requestId);
    this.commandPath = parsePath(options.codec.catalog.dialect.requests?.command);
    // An `error` event with no listener would throw: the client reports errors, it must not crash on them.
    this.on("error", () => undefined);
    this.open();
  }

  /** Sends a value (JSON unless a string). */
  send(data: unknown): void {
    if (this.socket?.readyState !== WebSocket.OPEN) throw new RequestError("not connected", "closed");
    this.socket.send(typeof data === "string" ? data : JSON.stringify(data));
  }

  /**
   * Sends a command and resolves with its answer, or rejects with the typed command-scope error
   * that answers it. Made before the connection is open, it waits for the open (within
   * `requestTimeoutMs`). A `retry-later` answer is retried after the delay it carries, up to
   * `maxMessageRetries` times. The request id goes where the dialect says, if the message has none.
   */
  request<T = unknown>(message: Record<string, unknown>): Promise<T> {
    const { command, requestId } = this.readRequest(message);
    let id: string | number | undefined = requestId;
    let body = message;
    if (id === undefined && this.idPath) {
      id = this.nextId++;
      body = structuredClone(message);
      setPath(body, this.idPath, id);
    }
    const key = id ?? command;
    if (key === undefined) return Promise.reject(new TypeError("the message has no command or request id to correlate its answer with"));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(key);
        reject(new RequestError(`no answer to ${String(key)} within ${this.options.requestTimeoutMs ?? 10_000} ms`, "timeout"));
      }, this.options.requestTimeoutMs ?? 10_000);
      if (this.state === "closed") {
        clearTimeout(timer);
        reject(new RequestError("the client is closed", "closed"));
        return;
      }
      // Made before the connection is open (right after connect(), or while reconnecting): it
      // waits for the open, within the same timeout, as a request made to a `ws` client would not.
      const waiting = this.socket?.readyState !== WebSocket.OPEN;
      this.pending.set(key, { message: body, resolve: resolve as (reply: unknown) => void, reject, timer, retries: 0, waiting });
      if (waiting) return;
      try {
        this.send(body);
      } catch (error) {
        clearTimeout(timer);
        this.pending.delete(key);
        reject(error);
      }
    });
  }

  /** Closes for good: no reconnect, pending requests rejected, iteration ends. */
  close(code = 1000, reason = ""): void {
    this.stop();
    this.socket?.close(code, reason);
    if (!this.socket || this.socket.readyState === WebSocket.CLOSED) this.finish();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<unknown> {
    this.iterators++;
    try {
      for (;;) {
        const next = this.queue.length > 0 ? { value: this.queue.shift(), done: false } : this.state === "closed" ? { value: undefined, done: true } : await new Promise<IteratorResult<unknown>>((r) => this.waiters.push(r));
        if (next.done) return;
        yield next.value;
      }
    } finally {
      if (--this.iterators === 0) this.queue.length = 0;
    }
  }

  private open(): void {
    this.state = this.attempt === 0 ? "connecting" : "reconnecting";
    const socket = new WebSocket(this.url, this.wsOptions);
    this.socket = socket;
    let rejected = false;
    socket.on("unexpected-response", (_request, response: IncomingMessage) => {
      rejected = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
        const error = this.options.codec.decodeUpgrade({ status: response.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") });
        socket.terminate();
        if (error) this.fail(error);
        else this.afterClose(undefined);
      });
      response.on("error", () => this.afterClose(undefined));
    });
    socket.on("open", () => {
      this.state = "open";
      this.openedAt = Date.now();
      this.lastConnectionError = undefined;
      this.emit("open");
      for (const pending of this.pending.values()) {
        if (!pending.waiting) continue;
        pending.waiting = false;
        socket.send(JSON.stringify(pending.message));
      }
      if (this.resumeNext) {
        this.resumeNext = false;
        this.emit("resumed", { from: this.lastSequence });
        void Promise.resolve(this.options.resume?.(this.lastSequence, this)).catch((error: unknown) => this.emit("hook-error", error));
      }
    });
    socket.on("message", (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on("error", () => {
      // Connection refused, reset, or a failed handshake: the close that follows decides.
      if (socket.readyState === WebSocket.CONNECTING && !rejected) socket.terminate();
    });
    socket.on("close", (code: number, reason: Buffer) => {
      if (rejected) return;
      this.emit("close", { code, reason: reason.toString() });
      if (this.stopped) return this.finish();
      const error = this.options.codec.decodeClose({ code, reason: reason.toString() }) ?? this.lastConnectionError;
      if (error) this.fail(error);
      else this.afterClose(code);
    });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (isBinary) return void this.deliver(data);
    let value: unknown;
    try {
      value = JSON.parse(data.toString());
    } catch {
      return void this.deliver(data.toString());
    }
    const errors = this.options.codec.decodeFrameErrors(value);
    if (errors.length > 0) {
      // Several errors in one frame answer one request together: it is settled once, on the first.
      const settled = new Map<string | number, Decision>();
      for (const error of errors) this.fail(error, settled);
      return;
    }
    if (this.pending.size > 0) {
      const { command, requestId } = this.readRequest(value);
      const key = requestId ?? command;
      const pending = key === undefined ? undefined : this.pending.get(key);
      if (pending) {
        clearTimeout(pending.timer);
        this.pending.delete(key as string | number);
        pending.resolve(value);
        return;
      }
    }
    const seq = this.options.codec.readSequence(value);
    if (seq !== undefined) {
      if (this.lastSequence !== undefined && Number(seq) <= Number(this.lastSequence)) return; // a replayed duplicate
      this.lastSequence = seq;
    }
    this.deliver(value);
  }

  private deliver(value: unknown): void {
    this.emit("message", value);
    if (this.iterators === 0) return;
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value, done: false });
    else this.queue.push(value);
  }

  /** Reports an error and carries out the catalog's directive for it (or the user's override). */
  private fail(error: WsError, settled?: Map<string | number, Decision>): void {
    this.emit("error", error);
    const key = error.requestId ?? (error.scope !== "connection" ? error.command : undefined);
    const earlier = key === undefined ? undefined : settled?.get(key);
    if (earlier) return void this.emit("decision", { ...earlier, error });
    const pending = key === undefined ? undefined : this.pending.get(key);
    const proposed = this.propose(error, pending);
    const decision = this.options.decide?.(error as E, proposed) ?? proposed;
    this.emit("decision", decision);
    if (pending && key !== undefined) settled?.set(key, decision);

    if (pending && error.layer === "frame") {
      if (decision.action === "retry-later" && pending.retries < (this.options.maxMessageRetries ?? 3)) {
        pending.retries++;
        setTimeout(() => {
          if (this.pending.get(key as string | number) === pending) this.trySend(pending);
        }, decision.delayMs).unref?.();
      } else {
        clearTimeout(pending.timer);
        this.pending.delete(key as string | number);
        pending.reject(error);
      }
      return;
    }
    if (error.layer === "frame") {
      // A connection-scope frame: what happens next is decided when (if) the socket closes.
      this.lastConnectionError = error;
      return;
    }
    this.act(decision);
  }

  private propose(error: WsError, pending: Pending | undefined): Decision {
    if (error.layer !== "frame" && this.openedAt > 0 && Date.now() - this.openedAt >= (this.options.reconnect ? (this.options.reconnect.minUptimeMs ?? 5_000) : 0)) this.attempt = 0;
    return decide(error, {
      attempt: this.attempt,
      reconnect: this.options.reconnect ?? {},
      answersRequest: pending !== undefined,
      canRefresh: this.options.refreshCredentials !== undefined,
      canResume: this.options.codec.catalog.dialect.sequence !== undefined,
      ...(this.options.defaultRetryMs !== undefined && { defaultRetryMs: this.options.defaultRetryMs }),
    });
  }

  private act(decision: Decision): void {
    this.openedAt = 0;
    if (decision.action === "stop" || decision.action === "none") {
      if (decision.action === "stop") this.stop();
      this.finish();
      return;
    }
    this.attempt = decision.attempt ?? this.attempt + 1;
    this.resumeNext = this.resumeNext || decision.action === "resume";
    this.state = "reconnecting";
    // Requests already sent may or may not have been handled: they fail. Those still waiting for
    // an open were never sent, and go out on the next connection.
    this.rejectPending("the connection closed", true);
    this.emit("reconnecting", { attempt: this.attempt, delayMs: decision.delayMs, action: decision.action });
    this.reconnectTimer = setTimeout(async () => {
      if (this.stopped) return;
      if (decision.action === "refresh-credentials" && this.options.refreshCredentials) {
        try {
          const next = await this.options.refreshCredentials(decision.error as E);
          if (next.url) this.url = next.url;
          if (next.ws) this.wsOptions = next.ws;
        } catch {
          this.stop();
          return this.finish();
        }
      }
      this.open();
    }, decision.delayMs);
  }

  /** A close with no error to decide on: a clean end (1000), or a dropped connection. */
  private afterClose(code: number | undefined): void {
    if (code === 1000 || code === 1001 || this.stopped) {
      this.stop();
      return this.finish();
    }
    // No close frame and no catalog error: a dropped TCP connection or a refused one.
    const fallback = this.options.codec.decodeClose({ code: 1006, reason: "" });
    if (fallback) this.fail(fallback);
    else this.finish();
  }

  private trySend(pending: Pending): void {
    try {
      this.send(pending.message);
    } catch {
      // Not connected now: the request times out unless the connection comes back.
    }
  }

  private stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
  }

  private rejectPending(why: string, keepWaiting = false): void {
    for (const [key, pending] of this.pending) {
      if (keepWaiting && pending.waiting) continue;
      clearTimeout(pending.timer);
      this.pending.delete(key);
      pending.reject(new RequestError(`${String(key)}: ${why}`, "closed"));
    }
  }

  private finish(): void {
    if (this.state === "closed") return;
    this.state = "closed";
    this.rejectPending("the client stopped");
    this.emit("stopped");
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }
}

/**
 * Connects to a WebSocket API described by a catalog.
 *
 * @example
 * ```ts
 * const client = connect("ws://localhost:8080/esca/v1/rates", { codec: escaRates, ws: { headers: { "x-api-key": "demo-key" } } });
 * const ack = await client.request({ method: "subscribe", pairs: ["EUR/USD"] });
 * ```
 */
export function connect<E extends WsError>(url: string, options: ConnectOptions<E>): WsErrorClient<E> {
  return new WsErrorClient(url, options);
}
