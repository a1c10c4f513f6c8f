import { createCodec, type CatalogSpec, type Layer, type WsError } from "@ws-errors/core";

/** What `ws-errors decode` prints for one decoded error: its JSON form, led by its class. */
export function describeError(error: WsError): Record<string, unknown> {
  const { _tag, name, catalog, wire, ...fields } = error.toJSON() as Record<string, unknown> & { wire?: WsError["wire"] };
  return {
    class: name,
    ...fields,
    ...(error.wire?.status !== undefined && { status: error.wire.status }),
    ...(error.wire?.closeCode !== undefined && { closeCode: error.wire.closeCode }),
  };
}

export type DecodeOutcome = { readonly ok: true; readonly output: Record<string, unknown> } | { readonly ok: false; readonly message: string };

/**
 * Decodes one input on one layer with a catalog, for the CLI: bad input is a message, never a
 * throw. Frames are JSON text; closes `{"code":1000,"reason":"..."}`; upgrades
 * `{"status":401,"headers":{...},"body":"..."}` (the body may also be given as JSON).
 */
export function decodeInput(spec: CatalogSpec, layer: Layer, text: string): DecodeOutcome {
  const codec = createCodec(spec);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const snippet = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    return { ok: false, message: `input is not JSON (${(error as Error).message}): ${JSON.stringify(snippet)}` };
  }
  if (layer === "frame") {
    const errors = codec.decodeFrameErrors(value);
    if (errors.length === 0) return { ok: true, output: { error: null } };
    if (errors.length === 1) return { ok: true, output: { error: describeError(errors[0] as WsError) } };
    return { ok: true, output: { errors: errors.map(describeError) } };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, message: `a ${layer} input must be a JSON object, got ${Array.isArray(value) ? "an array" : typeof value}` };
  }
  const input = value as Record<string, unknown>;
  if (layer === "close") {
    if (typeof input.code !== "number" || !Number.isInteger(input.code))
      return { ok: false, message: 'a close input needs an integer "code", e.g. {"code":1000,"reason":"Ping timeout"}' };
    if (input.reason !== undefined && typeof input.reason !== "string") return { ok: false, message: 'the close "reason" must be a string' };
    const error = codec.decodeClose({ code: input.code, reason: (input.reason as string | undefined) ?? "" });
    return { ok: true, output: { error: error ? describeError(error) : null } };
  }
  if (typeof input.status !== "number" || !Number.isInteger(input.status))
    return { ok: false, message: 'an upgrade input needs an integer "status", e.g. {"status":401,"headers":{},"body":"..."}' };
  if (input.headers !== undefined && (typeof input.headers !== "object" || input.headers === null))
    return { ok: false, message: 'the upgrade "headers" must be an object' };
  const body = input.body === undefined ? "" : typeof input.body === "string" ? input.body : JSON.stringify(input.body);
  const error = codec.decodeUpgrade({ status: input.status, headers: (input.headers as Record<string, string> | undefined) ?? {}, body });
  return { ok: true, output: { error: error ? describeError(error) : null } };
}
