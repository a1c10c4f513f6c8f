import { setPath, parsePath, type Codec, type EntrySpec, type WsError } from "@ws-errors/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type ClientEvents, type WsErrorClient } from "../src/index";

/**
 * A server under test that follows the fake-server contract:
 * `?emit=<id>&layer=upgrade[&browser=1]` rejects the upgrade with that entry; a message with
 * `"$emit": "<id>"` makes the server's handler throw that entry (answered with the message's
 * correlation fields), or with `"layer": "close"` closes with it; `"scope": "connection"` sends it
 * as a connection-scope error.
 */
export interface ServerUnderTest {
  /** Base URL for a catalog, e.g. `ws://127.0.0.1:PORT/collective2`. */
  url(codec: Codec<WsError>): string;
  close(): Promise<void>;
}

export const CONFORMANCE_TIMEOUT = 5_000;

function once<T>(client: WsErrorClient, event: keyof ClientEvents, match: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} event`)), CONFORMANCE_TIMEOUT - 500);
    const listener = (value: T) => {
      if (!match(value)) return;
      clearTimeout(timer);
      client.off(event, listener as never);
      resolve(value);
    };
    client.on(event, listener as never);
  });
}

const SAMPLES: Record<string, unknown> = { string: "sample", integer: 7, number: 1.5, boolean: true };

/** What a template's placeholders captured: the fake server's samples, typed as the entry declares them. */
function expectCaptured(entry: EntrySpec, template: string | undefined, error: WsError | undefined): void {
  if (template === undefined || !template.includes("{")) return;
  for (const [, name] of template.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
    expect((error?.details as Record<string, unknown> | undefined)?.[name as string], `${entry.id}: {${name}}`).toEqual(
      SAMPLES[entry.details[name as string]!.type],
    );
  }
}

function emitMessage(codec: Codec<WsError>, entry: EntrySpec, extra: Record<string, unknown>): Record<string, unknown> {
  const control = { $emit: entry.id, ...extra };
  // A text protocol's messages carry fields as headers.
  const message: Record<string, unknown> = codec.catalog.dialect.grammar === "headers" ? { headers: control } : control;
  const command = parsePath(codec.catalog.dialect.requests?.command);
  if (command) setPath(message, command, "emit");
  return message;
}

/**
 * Drives every entry of every catalog through server → wire → client on each layer it has.
 * Written once; the node server and the NestJS adapter both run it.
 */
export function conformanceSuite(name: string, codecs: Readonly<Record<string, Codec<WsError>>>, start: () => Promise<ServerUnderTest>): void {
  describe(`${name}: every catalog entry on every layer`, () => {
    let server: ServerUnderTest;
    const clients: WsErrorClient[] = [];
    const open = (codec: Codec<WsError>, query = "") => {
      const client = connect(`${server.url(codec)}${query}`, { codec, reconnect: false, requestTimeoutMs: 3000, maxMessageRetries: 0 });
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      server = await start();
    });
    afterAll(async () => {
      for (const client of clients) client.close();
      await server.close();
    });

    for (const [catalog, codec] of Object.entries(codecs)) {
      for (const entry of codec.catalog.errors) {
        const tag = `${catalog}/${entry.id}`;
        if (entry.upgrade) {
          it(
            `${tag}: upgrade → HTTP ${entry.upgrade.status}`,
            async () => {
              const client = open(codec, `?emit=${entry.id}&layer=upgrade`);
              const [error] = await Promise.all([once<WsError>(client, "catalog-error"), once(client, "stopped")]);
              expect(error._tag).toBe(tag);
              expect(error.layer).toBe("upgrade");
              expect(error.wire?.status).toBe(entry.upgrade!.status);
              expect(client.state).toBe("closed");
            },
            CONFORMANCE_TIMEOUT,
          );
        }
        if (entry.browserFallback) {
          it(
            `${tag}: browser fallback → close ${entry.browserFallback.code}`,
            async () => {
              const client = open(codec, `?emit=${entry.id}&layer=upgrade&browser=1`);
              const error = await once<WsError>(client, "catalog-error");
              expect(error._tag).toBe(tag);
              expect(error.layer).toBe("close");
              expect(error.wire?.closeCode).toBe(entry.browserFallback!.code);
            },
            CONFORMANCE_TIMEOUT,
          );
        }
        if (entry.frame && entry.scope !== "connection") {
          it(
            `${tag}: frame answering a command`,
            async () => {
              const client = open(codec);
              await once(client, "open");
              const failure = await client.request(emitMessage(codec, entry, {})).then(
                () => undefined,
                (e: unknown) => e as WsError,
              );
              expect(failure?._tag).toBe(tag);
              expect(failure?.layer).toBe("frame");
              expectCaptured(entry, entry.frame!.template, failure);
              if (codec.catalog.dialect.requests?.requestId && codec.catalog.dialect.requests.errorReplies !== "uncorrelated")
                expect(failure?.requestId).toBeDefined();
              if (!entry.close || entry.close.optional) {
                // The connection stays open: the next command still gets its answer.
                const echo = await client.request(emitMessage(codec, entry, {})).catch((e: unknown) => e as WsError);
                expect((echo as WsError)._tag).toBe(tag);
              }
            },
            CONFORMANCE_TIMEOUT,
          );
        }
        if (entry.frame && entry.scope !== "command") {
          it(
            `${tag}: connection-scope frame`,
            async () => {
              const client = open(codec);
              await once(client, "open");
              const got = once<WsError>(client, "catalog-error");
              client.send(emitMessage(codec, entry, { scope: "connection" }));
              const error = await got;
              expect(error._tag).toBe(tag);
              expect(error.layer).toBe("frame");
              if (entry.close && !entry.close.optional) {
                const closed = await once<{ code: number }>(client, "close");
                expect(closed.code).toBe(entry.close.code);
              } else {
                expect(client.state).toBe("open");
              }
            },
            CONFORMANCE_TIMEOUT,
          );
        }
        if (entry.close) {
          it(
            `${tag}: close ${entry.close.code}`,
            async () => {
              const client = open(codec);
              await once(client, "open");
              const got = once<WsError>(client, "catalog-error", (e) => e.layer === "close");
              client.send(emitMessage(codec, entry, { layer: "close" }));
              const error = await got;
              expect(error._tag).toBe(tag);
              expect(error.wire?.closeCode).toBe(entry.close!.code);
              if (entry.close!.matchReason || entry.close!.anyCode) expectCaptured(entry, entry.close!.reason, error);
              expect(error.retry.directive).toBe((entry.close!.retry ?? entry.retry).directive);
            },
            CONFORMANCE_TIMEOUT,
          );
        }
      }
    }
  });
}
