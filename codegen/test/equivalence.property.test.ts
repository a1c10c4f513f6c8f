import { createCodec, isArrayForm, type Codec, type WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { infoway } from "@ws-errors/core/catalogs/infoway";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { tickdbLegacy } from "@ws-errors/core/catalogs/tickdb-legacy";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { beacon } from "./catalogs/generated/beacon";
import { murmur } from "./catalogs/generated/murmur";
import { courier } from "./catalogs/generated/courier";
import { ledger } from "./catalogs/generated/ledger";
import { quarry } from "./catalogs/generated/quarry";
import { relay } from "./catalogs/generated/relay";
import { semaphore } from "./catalogs/generated/semaphore";
import { sluice } from "./catalogs/generated/sluice";
import { switchboard } from "./catalogs/generated/switchboard";

/*
 * A generated module decodes through code specialized for its catalog (its frame classifier, field
 * readers, sequence reader, data-frame test); `createCodec` decodes the same catalog through the
 * run-time interpreter alone. Both must give the same error, field for field, for anything a socket
 * can deliver, on all three layers: the specialized code is an optimization, never a second meaning.
 * The bundled catalogs and the test catalogs (templates, labels, `when`, aliases, lists) both run.
 */
const MODULES = {
  collective2,
  "esca-rates": escaRates,
  infoway,
  tickdb,
  "tickdb-legacy": tickdbLegacy,
  beacon,
  courier,
  ledger,
  murmur,
  quarry,
  relay,
  semaphore,
  sluice,
  switchboard,
} as unknown as Record<string, Codec<WsError>>;

/* Everything public an error carries; the class itself differs (generated against run-time built). */
function shape(error: WsError | null | undefined): unknown {
  if (!error) return error;
  const { _tag, name, catalog, id, code, kind, scope, layer, message, retry, details, field, requestId, command, wire } = error;
  return { _tag, name, catalog, id, code, kind, scope, layer, message, retry, details, field, requestId, command, wire, raw: error.raw };
}

/** A value at a dotted path, as a frame of the dialect nests it. */
function at(path: string | undefined, value: unknown): Record<string, unknown> {
  if (!path) return {};
  return path
    .split(".")
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

function merge(...parts: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      const prior = out[key];
      out[key] =
        typeof prior === "object" && prior !== null && typeof value === "object" && value !== null
          ? merge(prior as Record<string, unknown>, value as Record<string, unknown>)
          : value;
    }
  }
  return out;
}

describe.each(Object.entries(MODULES))("%s: the generated module decodes as the run-time interpreter", (_name, codec) => {
  const runtime = createCodec(codec.catalog);
  const { errors, dialect } = codec.catalog;
  const codes = [...new Set(errors.flatMap((e) => [e.code, e.frame?.code, ...(e.aliases ?? [])]).filter((c) => c !== undefined))];
  const wireCode = fc.oneof(
    fc.constantFrom(...codes),
    fc.constantFrom(...codes).map(String),
    fc.integer({ min: -2, max: 5000 }),
    fc.string({ maxLength: 6 }),
    fc.constant(null),
  );
  // Catalog texts, and templates filled in (a number fits every placeholder type but a string list).
  const texts = errors.flatMap((e) =>
    [e.message, e.summary, e.frame?.label, e.close?.reason, e.frame?.template?.replace(/\{[^}]+\}/g, "7")].filter((t): t is string => typeof t === "string"),
  );
  const text = fc.oneof(fc.constantFrom(...texts), fc.string({ maxLength: 12 }));
  const keyed = dialect.fallbacks.filter((f) => f.path !== undefined);

  // Frames of every form: its constants and match equalities, a code, a message, a request id, detail
  // fields, sometimes a list of errors; then noise of every JSON type at the same paths.
  const frame = fc
    .record({
      form: fc.constantFrom(...(dialect.frames.length > 0 ? dialect.frames : [undefined])),
      code: wireCode,
      label: text,
      message: text,
      field: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
      requestId: fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.constant(undefined)),
      details: fc.dictionary(fc.constantFrom(...errors.flatMap((e) => Object.keys(e.details)), "other"), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
      list: fc.option(fc.array(fc.record({ code: wireCode, message: text }), { maxLength: 3 }), { nil: undefined }),
      seq: fc.option(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { nil: undefined }),
      // Values at the paths fallbacks are keyed by (a status, an error type), in and out of their rules.
      keys:
        keyed.length === 0
          ? fc.constant<[string, unknown][]>([])
          : fc.array<[string, unknown]>(
              fc.oneof(
                ...keyed.map((f) => fc.tuple(fc.constant(f.path as string), fc.oneof(wireCode, fc.constantFrom(...(f.codes ?? [f.from ?? 0, f.to ?? 0]))))),
              ),
              { maxLength: 2 },
            ),
    })
    .map(({ form, code, label, message, field, requestId, details, list, seq, keys }) => {
      if (!form) return { code, message };
      const equalities = form.match.filter((m) => m.equals !== undefined).map((m) => at(m.path, m.equals));
      const built = merge(
        ...keys.map(([path, value]) => at(path, value)),
        ...Object.entries(form.constant ?? {}).map(([path, value]) => at(path, value)),
        ...equalities,
        at(form.details, details),
        at(form.code, code),
        at(form.label, label),
        at(form.message, message),
        at(form.field, field),
        at(form.requestId, requestId),
        list === undefined
          ? {}
          : at(
              form.errors,
              list.map((item) =>
                merge(
                  at(form.items?.code ?? form.code?.split(".").at(-1) ?? "code", item.code),
                  at(form.items?.message ?? form.message?.split(".").at(-1), item.message),
                ),
              ),
            ),
        at(dialect.sequence, seq),
      );
      // An array dialect's frames are arrays: the same slots, as a socket delivers them.
      return isArrayForm(form) ? Object.assign([], built) : built;
    });

  it("on every entry's own frame, close, browser fallback and upgrade response", () => {
    for (const entry of errors) {
      const error = new (codec.classes[entry.id] as new (init: object) => WsError)({ requestId: 7 });
      const inputs = [
        ...(entry.frame && dialect.frames.length > 0 ? [codec.encodeFrameText(error, { now: () => 0, messageId: () => "m" })] : []),
        ...(entry.close ? [codec.encodeClose(error)] : []),
        ...(entry.browserFallback ? [codec.encodeBrowserFallback(error)] : []),
      ];
      for (const input of inputs) {
        if (typeof input === "string") expect(shape(codec.decodeFrame(input))).toEqual(shape(runtime.decodeFrame(input)));
        else if (input) expect(shape(codec.decodeClose(input))).toEqual(shape(runtime.decodeClose(input)));
      }
      if (entry.upgrade) {
        const response = codec.encodeUpgrade(error);
        expect(codec.decodeUpgrade(response)?.id).toBe(entry.id);
        expect(shape(codec.decodeUpgrade(response))).toEqual(shape(runtime.decodeUpgrade(response)));
      }
    }
  });

  it("on error frames and data frames alike", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        fc.oneof(
          frame,
          frame.map((value) => JSON.stringify(value)),
          fc.jsonValue(),
          fc.anything({ withNullPrototype: true }),
        ),
        (input) => {
          const decoded = codec.decodeFrame(input);
          if (decoded) seen.add(decoded.id);
          expect(shape(decoded)).toEqual(shape(runtime.decodeFrame(input)));
          expect(codec.decodeFrameErrors(input).map(shape)).toEqual(runtime.decodeFrameErrors(input).map(shape));
          expect(codec.isErrorFrame(input)).toBe(runtime.isErrorFrame(input));
          expect(codec.isSuccessFrame(input)).toBe(runtime.isSuccessFrame(input));
          expect(codec.readSequence(input)).toBe(runtime.readSequence(input));
        },
      ),
      { numRuns: 400 },
    );
    // The frames drawn reach the catalog's entries, not only its uncatalogued fallback.
    if (dialect.frames.length > 0) expect(seen.size).toBeGreaterThan(1);
  });

  it("on closes", () => {
    const closeCodes = [...errors.flatMap((e) => [e.close?.code, e.browserFallback?.code]), ...dialect.fallbacks.flatMap((f) => f.codes ?? [])].filter(
      (c): c is number => typeof c === "number",
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...closeCodes, 1000, 1001, 1005, 1006, 1008, 1011), fc.integer({ min: 999, max: 5000 }), fc.double()),
        text,
        (code, reason) => {
          expect(shape(codec.decodeClose({ code, reason }))).toEqual(shape(runtime.decodeClose({ code, reason })));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("on refused upgrades", () => {
    const statuses = errors.map((e) => e.upgrade?.status).filter((s): s is number => s !== undefined);
    const headers = errors.map((e) => e.upgrade?.header).filter((h): h is string => h !== undefined);
    const { upgrade } = dialect;
    const response = fc.record({
      status: fc.oneof(fc.constantFrom(...statuses, 101, 200, 400, 500, 503), fc.integer({ min: 100, max: 599 })),
      header: fc.option(fc.oneof(fc.constantFrom(...(headers.length > 0 ? headers : ["x"])), fc.string({ maxLength: 8 })), { nil: undefined }),
      code: fc.option(wireCode, { nil: undefined }),
      message: fc.option(text, { nil: undefined }),
      details: fc.dictionary(fc.constantFrom(...errors.flatMap((e) => Object.keys(e.details)), "other"), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }),
      json: fc.boolean(),
    });
    fc.assert(
      fc.property(response, ({ status, header, code, message, details, json }) => {
        const body = merge(at(upgrade.code, code), at(upgrade.message, message), at(upgrade.details, details));
        const input = {
          status,
          headers: header === undefined || !upgrade.header ? {} : { [upgrade.header]: header },
          body: json ? JSON.stringify(body) : String(message ?? ""),
        };
        expect(shape(codec.decodeUpgrade(input))).toEqual(shape(runtime.decodeUpgrade(input)));
      }),
      { numRuns: 300 },
    );
  });
});
