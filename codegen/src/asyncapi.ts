import type { CatalogSpec, DetailType, EntrySpec, FrameForm, Json } from "@ws-errors/core";
import { directiveText } from "./generate/names";

type Schema = Record<string, unknown>;

const DETAIL_SCHEMA: Record<DetailType, Schema> = {
  string: { type: "string" },
  integer: { type: "integer" },
  number: { type: "number" },
  boolean: { type: "boolean" },
  "string[]": { type: "array", items: { type: "string" } },
  object: { type: "object" },
  "object[]": { type: "array", items: { type: "object" } },
};

/** Puts a schema at a dot path inside an object schema, creating the objects on the way. */
function place(root: Schema, path: string, schema: Schema, required: boolean): void {
  const segments = path === "" ? [] : path.split(".");
  let node = root;
  for (const [i, key] of segments.entries()) {
    const properties = (node.properties ??= {}) as Record<string, Schema>;
    if (required) {
      const list = (node.required ??= []) as string[];
      if (!list.includes(key)) list.push(key);
    }
    if (i === segments.length - 1) {
      properties[key] = { ...properties[key], ...schema };
      return;
    }
    node = properties[key] ??= { type: "object" };
  }
  Object.assign(node, schema);
}

/** The JSON Schema of one entry's error frame in a form of the dialect. */
function framePayload(form: FrameForm, entry: EntrySpec): Schema {
  const root: Schema = { type: "object" };
  for (const [path, value] of Object.entries(form.constant ?? {})) place(root, path, { const: value as Json }, true);
  for (const [path, stamp] of Object.entries(form.stamps ?? {})) {
    place(
      root,
      path,
      stamp === "unix-ms" ? { type: "integer" } : stamp === "iso-timestamp" ? { type: "string", format: "date-time" } : { type: "string" },
      true,
    );
  }
  if (form.requestId !== undefined)
    place(root, form.requestId, { type: ["string", "integer"], description: "The correlation id of the command this answers." }, entry.scope === "command");
  if (form.command !== undefined) place(root, form.command, { type: "string", description: "The command this answers." }, false);
  if (form.details !== undefined) {
    for (const [name, detail] of Object.entries(entry.details)) {
      place(
        root,
        form.details === "" ? name : `${form.details}.${name}`,
        { ...DETAIL_SCHEMA[detail.type], ...(detail.summary !== undefined && { description: detail.summary }) },
        false,
      );
    }
  }
  for (const [path, value] of Object.entries(entry.frame?.constant ?? {})) place(root, path, { const: value }, true);
  for (const condition of entry.frame?.when ?? []) if (condition.equals !== undefined) place(root, condition.path, { const: condition.equals }, true);
  const aliases = entry.aliases ?? [];
  if (form.code !== undefined)
    place(
      root,
      form.code,
      aliases.length === 0
        ? { const: entry.frame?.code ?? entry.code }
        : {
            enum: [entry.frame?.code ?? entry.code, ...aliases],
            description: `Written as ${JSON.stringify(entry.frame?.code ?? entry.code)}; the others are aliases read as the same error.`,
          },
      true,
    );
  if (form.label !== undefined && entry.frame?.label !== undefined) place(root, form.label, { const: entry.frame.label }, form.code === undefined);
  if (form.field !== undefined) place(root, form.field, { type: "string", description: "The request field at fault." }, false);
  if (form.message !== undefined) {
    const template = entry.frame?.template;
    place(
      root,
      form.message,
      template === undefined
        ? { type: "string" }
        : { type: "string", description: `Worded as the template "${template}"; its placeholders are detail fields.`, "x-ws-template": template },
      true,
    );
  }
  return root;
}

function formFor(spec: CatalogSpec, entry: EntrySpec): FrameForm | undefined {
  if (entry.frame?.form !== undefined) return spec.dialect.frames.find((f) => f.name === entry.frame?.form);
  // As the codec picks: by scope, among the forms no entry names for itself.
  const named = new Set(spec.errors.map((e) => e.frame?.form));
  const forms = spec.dialect.frames.some((f) => !named.has(f.name)) ? spec.dialect.frames.filter((f) => !named.has(f.name)) : spec.dialect.frames;
  const wanted = entry.scope === "connection" ? "connection" : "command";
  return forms.find((f) => f.scope === wanted) ?? forms.find((f) => f.scope === "both") ?? forms[0];
}

/**
 * A catalog as an AsyncAPI 3.0 document: every frame-layer error is a message the client
 * receives on the API's channel, its payload the dialect's envelope with the entry's code fixed.
 * What AsyncAPI's WebSocket binding cannot say goes in extensions: `x-ws-handshake-rejections`
 * (HTTP answers to the upgrade), `x-ws-close-codes` (close frames, browser fallbacks included) and,
 * per message, `x-ws-errors` (kind, scope, retry directive).
 *
 * @example
 * ```ts
 * writeFileSync("asyncapi.json", JSON.stringify(toAsyncApi(spec), null, 2));
 * ```
 */
export function toAsyncApi(spec: CatalogSpec): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  for (const entry of spec.errors) {
    const form = formFor(spec, entry);
    if (!entry.frame || !form) continue;
    messages[entry.className] = {
      name: String(entry.frame.code),
      title: entry.className,
      summary: entry.summary,
      ...(entry.description !== undefined && { description: entry.description }),
      contentType: "application/json",
      payload: framePayload(form, entry),
      ...(entry.deprecated !== undefined && { "x-deprecated": entry.deprecated }),
      "x-ws-errors": {
        id: entry.id,
        code: entry.code,
        ...(entry.aliases !== undefined && { aliases: entry.aliases }),
        ...(entry.frame.label !== undefined && { label: entry.frame.label }),
        kind: entry.kind,
        scope: entry.scope,
        retry: entry.retry,
        guidance: entry.guidance ?? directiveText(entry.retry),
        ...(spec.dialect.requests?.errorReplies === "uncorrelated" &&
          entry.scope !== "connection" && { correlation: "the oldest pending request of its command (error replies carry no request id)" }),
      },
    };
  }
  const refs = Object.keys(messages).map((name) => ({ $ref: `#/channels/${spec.name}/messages/${name}` }));
  return {
    asyncapi: "3.0.0",
    info: {
      title: spec.title,
      version: spec.version,
      ...(spec.description !== undefined && { description: spec.description }),
      "x-ws-errors-catalog": spec.name,
    },
    defaultContentType: "application/json",
    channels: {
      [spec.name]: {
        title: `${spec.title}: error frames`,
        ...(spec.dialect.notes !== undefined && { description: spec.dialect.notes }),
        messages: Object.fromEntries(Object.keys(messages).map((name) => [name, { $ref: `#/components/messages/${name}` }])),
        bindings: { ws: { bindingVersion: "0.1.0" } },
      },
    },
    operations: {
      receiveErrors: {
        action: "receive",
        channel: { $ref: `#/channels/${spec.name}` },
        summary: "Error frames the server sends, connection- or command-scoped.",
        messages: refs,
      },
    },
    components: { messages },
    "x-ws-handshake-rejections": spec.errors
      .filter((e) => e.upgrade)
      .map((e) => ({
        status: e.upgrade?.status,
        code: e.code,
        error: e.className,
        ...(spec.dialect.upgrade.header !== undefined && { header: { name: spec.dialect.upgrade.header, value: e.upgrade?.header ?? e.message ?? e.summary } }),
        ...(e.browserFallback !== undefined && { browserFallback: e.browserFallback }),
        retry: e.retry,
      })),
    "x-ws-close-codes": spec.errors
      .filter((e) => e.close)
      .map((e) => ({
        code: e.close?.code,
        reason: e.close?.reason,
        matchReason: e.close?.matchReason,
        ...(e.close?.anyCode && { anyCode: true }),
        ...(e.close?.optional && { optional: true }),
        error: e.className,
        kind: e.kind,
        retry: e.close?.retry ?? e.retry,
      })),
  };
}
