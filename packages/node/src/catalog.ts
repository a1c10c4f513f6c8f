import { getPath, parsePath, type Codec, type KindName, type WsError, type WsErrorClass, type WsErrorInit } from "@ws-errors/core";

/**
 * The catalog entry class of a kind, preferring one on the given layer: how built-in policies and
 * the server find "the catalog's rate-limit error" or "its internal error" without being told.
 */
export function classOfKind(codec: Codec<WsError>, kinds: KindName | readonly KindName[], layer?: "upgrade" | "frame" | "close"): WsErrorClass | undefined {
  const wanted = typeof kinds === "string" ? [kinds] : kinds;
  for (const kind of wanted) {
    const entries = codec.catalog.errors.filter((e) => e.kind === kind);
    const onLayer = layer === undefined ? entries : entries.filter((e) => e[layer] !== undefined);
    const entry = onLayer[0] ?? entries[0];
    if (entry) return codec.classes[entry.id] as WsErrorClass;
  }
  return undefined;
}

/** Builds an error of a class found by {@link classOfKind}; `undefined` when the catalog has none. */
export function errorOfKind(codec: Codec<WsError>, kinds: KindName | readonly KindName[], layer?: "upgrade" | "frame" | "close", init: WsErrorInit = {}): WsError | undefined {
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
