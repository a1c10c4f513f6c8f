import {
  entryOfKinds,
  getPath,
  isIndex,
  parsePath,
  policyProblems,
  setPath,
  type BuiltInPolicy,
  type PolicyProblem,
  type Codec,
  type KindName,
  type SendLayer,
  type WsError,
  type WsErrorClass,
  type WsErrorInit,
} from "@ws-errors/core";

/**
 * The catalog entry class of a kind, preferring one on the given layer: how built-in policies and
 * the server find "the catalog's rate-limit error" or "its internal error" without being told.
 */
export function classOfKind(codec: Codec<WsError>, kinds: KindName | readonly KindName[], layer?: SendLayer): WsErrorClass | undefined {
  const entry = entryOfKinds(codec.catalog, kinds, layer);
  return entry ? (codec.classes[entry.id] as WsErrorClass) : undefined;
}

/**
 * What stops a built-in policy from saying its errors in this codec's catalog (see
 * `policyProblems` in core), with the classes a user passed in place of its own picks: what the
 * server refuses to start with, and what it warns of.
 */
export function choiceProblems(codec: Codec<WsError>, policy: BuiltInPolicy, ...given: (WsErrorClass | undefined)[]): { refuse: string[]; warn: string[] } {
  const entries = given.map((ctor) => (ctor ? codec.catalog.errors.find((e) => codec.classes[e.id] === ctor) : undefined));
  const bare = codec.decodeClose({ code: 1008, reason: "" })?.id;
  // Refused: a policy with no entry to pick, and what the client would read as something else:
  // an upgrade answer nothing in the catalog says (a bare 500), a bare 1008 another entry owns
  // (close problems are only reported then). A picked entry without a frame layer is warned of,
  // as lint does: the policy's frame is not sent, and servers written before the check keep starting.
  const problems = policyProblems(codec.catalog, policy, entries, bare);
  const warned = (p: PolicyProblem) => p.layer === "frame" && p.entry !== undefined;
  return { refuse: problems.filter((p) => !warned(p)).map((p) => p.text), warn: problems.filter(warned).map((p) => p.text) };
}

/** Two checks' problems as one, each sentence once. */
export function mergeProblems(...checks: { refuse: string[]; warn: string[] }[]): { refuse: string[]; warn: string[] } {
  return { refuse: [...new Set(checks.flatMap((c) => c.refuse))], warn: [...new Set(checks.flatMap((c) => c.warn))] };
}

/** Builds an error of a class found by {@link classOfKind}; `undefined` when the catalog has none. */
export function errorOfKind(codec: Codec<WsError>, kinds: KindName | readonly KindName[], layer?: SendLayer, init: WsErrorInit = {}): WsError | undefined {
  const ctor = classOfKind(codec, kinds, layer);
  return ctor ? new ctor(init) : undefined;
}

/* One reader per codec: callers on the per-message path (the NestJS filter) ask for it each time. */
const READERS = new WeakMap<Codec<WsError>, (message: unknown) => { command: string | undefined; requestId: string | number | undefined }>();

/** Reads a client message's command and correlation id where the catalog's dialect says they live. */
export function requestFields(codec: Codec<WsError>): (message: unknown) => { command: string | undefined; requestId: string | number | undefined } {
  const known = READERS.get(codec);
  if (known) return known;
  const requests = codec.catalog.dialect.requests;
  const commandPath = parsePath(requests?.command);
  const idPath = parsePath(requests?.requestId);
  const reader = (message: unknown) => {
    const command = commandPath ? getPath(message, commandPath) : undefined;
    const id = idPath ? getPath(message, idPath) : undefined;
    return {
      command: typeof command === "string" ? command : undefined,
      requestId: typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) ? id : undefined,
    };
  };
  READERS.set(codec, reader);
  return reader;
}

/**
 * What a command handler's reply becomes on the wire: an object reply (an array one, where the
 * dialect's request id is an index) gets the request's correlation id where the dialect puts it
 * in replies (`requests.replyId`, else where requests carry it; as error frames do), unless it has one already; any other reply (text, bytes) is sent as it is. Without the id, a client's `request()`
 * could not tell its answer.
 *
 * @example
 * ```ts
 * const echo = replyEcho(escaRates);                          // requests: { requestId: req_id }
 * echo({ method: "subscribe", success: true }, 7);            // { method: "subscribe", success: true, req_id: 7 }
 * ```
 */
export function replyEcho(codec: Codec<WsError>): (reply: unknown, requestId: string | number | undefined) => unknown {
  const requests = codec.catalog.dialect.requests;
  const idPath = parsePath(requests?.replyId ?? requests?.requestId);
  return (reply, requestId) => {
    const base = idPath && requestId !== undefined ? jsonObject(reply) : undefined;
    // An id already there stays, unless it is a null slot left for it (an array dialect's `[null, null, ...]`).
    if (!idPath || !base || Array.isArray(base) !== isIndex(idPath[0]) || (getPath(base, idPath) ?? null) !== null) return reply;
    // Copies along the path only: the handler's object may be shared (a constant reply, a cache).
    const out = copy(base);
    let at: Record<string, unknown> = out;
    for (const key of idPath.slice(0, -1)) {
      const next = jsonObject(Object.hasOwn(at, key) ? at[key] : undefined);
      if (!next) break;
      at = at[key] = copy(next);
    }
    setPath(out, idPath, requestId);
    return out;
  };
}

/* The object or array a value is sent as (through its `toJSON`, as JSON.stringify does), or
   `undefined` for anything that is not sent as JSON structure: text, bytes, dates. */
function jsonObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return undefined;
  const json = typeof (value as { toJSON?: unknown }).toJSON === "function" ? (value as { toJSON(): unknown }).toJSON() : value;
  return typeof json === "object" && json !== null ? (json as Record<string, unknown>) : undefined;
}

const copy = (value: Record<string, unknown>): Record<string, unknown> =>
  Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...value };

const RETRY_AFTER = new WeakMap<WsError, number>();

/**
 * Marks an error with the seconds a client should wait; an upgrade rejection then carries it in
 * the header the entry's delay names (e.g. `Retry-After`).
 */
export function withRetryAfter<E extends WsError>(error: E, seconds: number): E {
  RETRY_AFTER.set(error, seconds);
  return error;
}

export function retryAfterOf(error: WsError): number | undefined {
  return RETRY_AFTER.get(error);
}
