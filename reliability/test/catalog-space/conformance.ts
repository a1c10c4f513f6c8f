import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createCodec, parsePath, setPath, type Codec, type EntrySpec, type WsError, type WsErrorClass } from "@ws-errors/core";
import { loadCatalogText, formatProblem } from "@ws-errors/codegen";
import { connect, WsErrorServer, type WsErrorServerOptions } from "@ws-errors/node";
import { wsErrorsConnection } from "@ws-errors/rxjs";
import { WebSocket } from "ws";
import type { RawCatalog } from "./arbitrary";

/*
 * What every catalog must do on the wire, whoever wrote it: each entry, sent through every path a
 * server has, reaches both client facades as that entry with its directive; nothing goes out that
 * the catalog does not say. Each check returns the first broken promise as a sentence (so fast-check
 * shrinks to the smallest catalog that breaks it), or throws from an assertion library.
 */

/** Loads a raw catalog as `ws-errors` does; a refusal is a generator (or lint) bug, reported whole. */
export function codecOf(raw: RawCatalog): Codec<WsError> {
  const loaded = loadCatalogText(JSON.stringify(raw), "generated.yaml");
  if (!loaded.ok) throw new Error(`the generated catalog does not load:\n${loaded.problems.map(formatProblem).join("\n")}\n${JSON.stringify(raw)}`);
  return createCodec(loaded.spec) as Codec<WsError>;
}

/** Encode then decode gives the entry back, with its details, on every layer it has. */
export function roundTrips(codec: Codec<WsError>): string | undefined {
  for (const entry of codec.catalog.errors) {
    const Ctor = codec.classes[entry.id] as WsErrorClass;
    const details = "amount" in entry.details ? { amount: 7 } : {};
    const error = new Ctor({ details, requestId: 3 });
    if (entry.frame) {
      const back = codec.decodeFrame(codec.encodeFrameText(error));
      if (back?.id !== entry.id) return `${entry.id}: its frame decodes as ${back?.id}`;
      if (JSON.stringify(back.details) !== JSON.stringify(details)) return `${entry.id}: its frame's details come back as ${JSON.stringify(back.details)}`;
    }
    const codePath = codec.catalog.dialect.frames[0]?.code;
    for (const alias of entry.frame && codePath ? (entry.aliases ?? []) : []) {
      // A frame with the alias in place of the code is the same error.
      const frame = JSON.parse(codec.encodeFrameText(error)) as Record<string, unknown>;
      setPath(frame, parsePath(codePath) as string[], alias);
      const back = codec.decodeFrame(frame);
      if (back?.id !== entry.id) return `${entry.id}: its frame with alias ${alias} decodes as ${back?.id}`;
    }
    if (entry.upgrade) {
      const back = codec.decodeUpgrade(codec.encodeUpgrade(error));
      if (back?.id !== entry.id) return `${entry.id}: its upgrade answer decodes as ${back?.id}`;
    }
    for (const [layer, close] of [
      ["close", codec.encodeClose(error)],
      ["browser fallback", codec.encodeBrowserFallback(error)],
    ] as const) {
      if (!close) continue;
      const back = codec.decodeClose(close);
      // A close known only by the frame before it is never this entry on its own.
      if (layer === "close" && entry.close?.afterFrame) {
        if (back?.id === entry.id) return `${entry.id}: its close after the frame (${close.code}) is read as it with no frame before it`;
        continue;
      }
      if (back?.id !== entry.id) return `${entry.id}: its ${layer} (${close.code} ${JSON.stringify(close.reason)}) decodes as ${back?.id}`;
    }
  }
  // A frame with a code no entry lists reads as the kind its keyed field says.
  const form = codec.catalog.dialect.frames[0];
  const sample = codec.catalog.errors.find((e) => e.frame);
  for (const rule of codec.catalog.dialect.fallbacks) {
    if (rule.path === undefined || !form?.code || !sample) continue;
    const frame = JSON.parse(codec.encodeFrameText(new (codec.classes[sample.id] as WsErrorClass)())) as Record<string, unknown>;
    setPath(frame, parsePath(form.code) as string[], "ZZ_UNLISTED");
    // Nothing else may name an entry: no label, no message a template would match.
    if (form.label) setPath(frame, parsePath(form.label) as string[], "ZZ_UNLISTED");
    if (form.message) setPath(frame, parsePath(form.message) as string[], "zz unlisted");
    for (const value of rule.codes ?? []) {
      setPath(frame, parsePath(rule.path) as string[], value);
      const back = codec.decodeFrame(frame);
      if (back?.kind !== rule.kind || back.retry.directive !== rule.retry.directive)
        return `an unlisted code with ${rule.path} = ${JSON.stringify(value)} decodes as ${back?.id} (${back?.kind}, ${back?.retry.directive}), not as ${rule.kind}`;
    }
  }
  // A close code in a fallback range that nothing else owns reads as the range's kind.
  for (const rule of codec.catalog.dialect.fallbacks) {
    if (rule.from === undefined || rule.to === undefined || rule.layer !== "close") continue;
    const owned = new Set(codec.catalog.errors.flatMap((e) => [e.close?.code, e.browserFallback?.code]));
    for (let code = rule.from; code <= rule.to; code++) {
      if (owned.has(code)) continue;
      const back = codec.decodeClose({ code, reason: "" });
      if (back?.kind !== rule.kind)
        return `close ${code}, in the fallback range ${rule.from}-${rule.to}, decodes as ${back?.id} (${back?.kind}), not as ${rule.kind}`;
      break;
    }
  }
  return undefined;
}

export interface Running {
  readonly url: string;
  readonly server: WsErrorServer;
  close(): Promise<void>;
}

const quiet = process.env.CATALOG_DEBUG ? { warn: console.warn, error: console.error } : { warn: () => undefined, error: () => undefined };

export async function serve(options: Omit<WsErrorServerOptions, "server" | "logger">, warnings: string[] = []): Promise<Running> {
  const http: Server = createServer((_req, res) => res.writeHead(426).end());
  const logger = { warn: (message: string) => void warnings.push(message), error: quiet.error };
  const server = new WsErrorServer({ ...options, server: http, logger, handshake: false });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}`,
    server,
    async close() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** What a client facade saw: every catalog error, the decisions, and the end. */
export interface Seen {
  readonly errors: WsError[];
  request(message: Record<string, unknown>): Promise<unknown>;
  readonly ended: Promise<unknown>;
  close(): void;
}

/** A client facade connecting to `url`, with extra upgrade headers. */
export type Facade = (url: string, codec: Codec<WsError>, headers?: Record<string, string>) => Seen;

const nodeFacade: Facade = (url, codec, headers = {}) => {
  const client = connect(url, { codec, reconnect: false, requestTimeoutMs: 1_500, defaultRetryMs: 5, ws: { headers } });
  const errors: WsError[] = [];
  client.on("catalog-error", (e) => errors.push(e));
  const ended = new Promise((resolve) => client.once("stopped", resolve));
  return { errors, ended, request: (m) => client.request(m), close: () => client.close() };
};

const rxFacade: Facade = (url, codec, headers = {}) => {
  const connection = wsErrorsConnection(url, {
    codec,
    reconnect: false,
    requestTimeoutMs: 1_500,
    defaultRetryMs: 5,
    createSocket: (u: string) => new WebSocket(u, { headers }),
  });
  const errors: WsError[] = [];
  const subs = [connection.errors$.subscribe((e) => errors.push(e))];
  const ended = new Promise((resolve) => subs.push(connection.messages$.subscribe({ error: resolve, complete: () => resolve(undefined) })));
  const request = (m: Record<string, unknown>) =>
    new Promise((resolve, reject) => subs.push(connection.request(m).subscribe({ next: resolve, error: reject })));
  return { errors, ended, request, close: () => subs.forEach((s) => s.unsubscribe()) };
};

export const FACADES: Readonly<Record<string, Facade>> = { node: nodeFacade, rxjs: rxFacade };

export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))]);
}

/* The ids a facade saw must all be the expected one: anything else went out that the catalog did not mean. */
export function sawOnly(seen: Seen, entry: EntrySpec, path: string): string | undefined {
  if (seen.errors.length === 0) return `${path}: the client saw no error for ${entry.id}`;
  for (const error of seen.errors) {
    if (error.id !== entry.id)
      return `${path}: sent ${entry.id}, the client read ${error.id} (${error.layer} ${String(error.code)}: ${JSON.stringify(error.message)})`;
    const directive = error.layer === "close" ? (entry.close?.retry ?? entry.retry).directive : entry.retry.directive;
    if (error.retry.directive !== directive) return `${path}: ${entry.id} arrived with directive ${error.retry.directive}, not ${directive}`;
  }
  return undefined;
}

export async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Every entry through a handler that throws it and through `connection.fail`, read by both
 * facades: each sees that entry, with its directive, and nothing else.
 */
export async function serverPaths(codec: Codec<WsError>): Promise<string | undefined> {
  const command = codec.catalog.dialect.requests?.command as string;
  const byId = new Map(codec.catalog.errors.map((e) => [e.id, codec.classes[e.id] as WsErrorClass]));
  const warnings: string[] = [];
  const running = await serve(
    {
      codec,
      onConnection: (connection) => {
        const fail = new URL(connection.request.url, "http://x").searchParams.get("fail");
        const Ctor = fail === null ? undefined : byId.get(fail);
        if (Ctor) connection.fail(new Ctor());
      },
      commands: {
        throw: ({ data }) => {
          const Ctor = byId.get(String((data as Record<string, unknown>).entry));
          throw Ctor ? new Ctor() : new Error("no such entry");
        },
      },
    },
    warnings,
  );
  try {
    for (const entry of codec.catalog.errors) {
      for (const [name, facade] of Object.entries(FACADES)) {
        if (entry.frame) {
          const seen = facade(running.url, codec);
          try {
            const answer = seen.request({ [command]: "throw", entry: entry.id }).then(
              () => "resolved",
              (error: unknown) => error,
            );
            if (entry.scope === "connection") await until(() => seen.errors.length > 0, `${name}: ${entry.id} thrown by a handler`);
            else {
              const failure = (await within(answer, 3_000, `${name}: the answer to a request whose handler throws ${entry.id}`)) as WsError;
              if (failure?.id !== entry.id)
                return `${name} facade, a handler throws ${entry.id}: the request settled with ${String((failure as { id?: unknown })?.id ?? failure)}`;
            }
            const broken = sawOnly(seen, entry, `${name} facade, a handler throws`);
            if (broken) return broken;
          } finally {
            seen.close();
          }
        }
        const seen = facade(`${running.url}/?fail=${encodeURIComponent(entry.id)}`, codec);
        try {
          await within(seen.ended, 3_000, `${name}: the end after fail(${entry.id})`);
          if (!entry.frame && !entry.close && !entry.browserFallback) {
            // Only the upgrade can say it: a bare 1008, and the server names the entry in its log.
            if (!warnings.some((w) => w.includes(`"${entry.id}" has no frame, close or browserFallback layer`)))
              return `${name} facade, connection.fail(${entry.id}): no warning names the entry that cannot be said`;
            continue;
          }
          const broken = sawOnly(seen, entry, `${name} facade, connection.fail`);
          if (broken) return broken;
        } finally {
          seen.close();
        }
      }
    }
  } finally {
    await running.close();
  }
  return undefined;
}
