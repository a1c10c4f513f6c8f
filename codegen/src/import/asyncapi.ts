import YAML from "yaml";
import { readMarkdown, type DocCode, type DocPage, type DocProse, type DocTable } from "./tables";

/* An AsyncAPI document (2.x or 3.x, YAML or JSON) read into what the importer works on: each
   error message's codes (a `const`, an `enum` with its descriptions, or a `oneOf` of constants)
   become rows of a table, its examples (or one made from its payload schema) example frames, and
   the Markdown of its descriptions (close-code tables, prose) is read as a page of its own. */

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/** Follows local `$ref`s ("#/components/schemas/Error"); others stay as they are. */
function resolver(root: Json): (node: unknown) => unknown {
  const resolve = (node: unknown, depth = 0): unknown => {
    if (!isObject(node) || typeof node.$ref !== "string" || !node.$ref.startsWith("#/") || depth > 20) return node;
    let target: unknown = root;
    for (const part of node.$ref.slice(2).split("/")) target = isObject(target) ? target[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    return resolve(target, depth + 1);
  };
  return resolve;
}

const CODE_KEYS = /^(code|error_?code|errorCode|status_?code|err)$/i;
const MESSAGE_KEYS = /^(message|msg|reason|description|detail|error_?message|text)$/i;

interface CodeAt {
  readonly path: string;
  readonly schema: Json;
}

/* The code-like property of a payload schema, nested ones too (`error.code`). */
function codeOf(schema: unknown, resolve: (n: unknown) => unknown, path: string[] = []): CodeAt | undefined {
  const node = resolve(schema);
  if (!isObject(node) || !isObject(node.properties) || path.length > 3) return undefined;
  for (const [key, value] of Object.entries(node.properties))
    if (CODE_KEYS.test(key)) return { path: [...path, key].join("."), schema: resolve(value) as Json };
  for (const [key, value] of Object.entries(node.properties)) {
    const inner = codeOf(value, resolve, [...path, key]);
    if (inner) return inner;
  }
  return undefined;
}

/* Each code a schema allows, with what the document says it means. */
function codesOf(schema: Json, resolve: (n: unknown) => unknown): { code: string | number; description?: string }[] {
  if ("const" in schema) return [{ code: schema.const as string | number }];
  const alternatives = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (Array.isArray(alternatives))
    return alternatives.flatMap((alt) => {
      const node = resolve(alt);
      if (!isObject(node)) return [];
      const description = [node.title, node.description].filter((t) => typeof t === "string").join(". ");
      if ("const" in node) return [{ code: node.const as string | number, ...(description && { description }) }];
      if (Array.isArray(node.enum)) return node.enum.map((code) => ({ code: code as string | number, ...(description && { description }) }));
      return [];
    });
  if (Array.isArray(schema.enum)) {
    const said = schema["x-enum-descriptions"] ?? schema["x-enumDescriptions"] ?? schema["x-enum-varnames"];
    return schema.enum.map((code, i) => {
      const description = Array.isArray(said) ? said[i] : isObject(said) ? said[String(code)] : undefined;
      return { code: code as string | number, ...(typeof description === "string" && { description }) };
    });
  }
  return [];
}

/* A payload as an example frame, from its schema: constants as they are, the code, a message. */
function exampleOf(schema: unknown, code: CodeAt, value: string | number, resolve: (n: unknown) => unknown, path: string[] = []): unknown {
  const node = resolve(schema);
  if (!isObject(node)) return undefined;
  if ([...path].join(".") === code.path) return value;
  if ("const" in node) return node.const;
  if (isObject(node.properties)) {
    const out: Json = {};
    for (const [key, child] of Object.entries(node.properties)) {
      const required = Array.isArray(node.required) && node.required.includes(key);
      const inner = exampleOf(child, code, value, resolve, [...path, key]);
      if (inner !== undefined) out[key] = inner;
      else if (MESSAGE_KEYS.test(key)) out[key] = "...";
      else if (required) out[key] = (resolve(child) as Json | undefined)?.type === "integer" ? 1 : "x";
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return undefined;
}

/** The directive words of the `x-ws-errors` extension `ws-errors export --asyncapi` writes. */
const DIRECTIVE_WORDS: Readonly<Record<string, string>> = {
  stop: "No: do not retry",
  "retry-later": "Yes, retry the message later",
  reconnect: "Yes, reconnect",
  resume: "Yes, reconnect and resume",
  "refresh-credentials": "After refreshing credentials, reconnect",
  "free-connection": "Yes, after closing an existing connection",
  reauthenticate: "Authenticate again on the same connection",
  resubscribe: "Subscribe again",
};

/**
 * The error messages, examples and descriptions of an AsyncAPI document.
 *
 * @example
 * ```ts
 * readAsyncApi("asyncapi: 3.0.0\ncomponents:\n  messages:\n    Error:\n      payload:\n        properties:\n          code: { const: E1 }\n").tables[0]?.rows; // [["`E1`", ...]]
 * ```
 */
export function readAsyncApi(text: string): DocPage {
  const root = YAML.parse(text) as unknown;
  if (!isObject(root)) throw new Error("an AsyncAPI document is a YAML or JSON object");
  const resolve = resolver(root);
  const messages = new Map<unknown, string>();
  const note = (message: unknown, name: string) => {
    const node = resolve(message);
    if (isObject(node) && !messages.has(node)) messages.set(node, name);
  };
  const components = isObject(root.components) ? root.components : {};
  for (const [name, message] of Object.entries(isObject(components.messages) ? components.messages : {})) note(message, name);
  for (const [name, channel] of Object.entries(isObject(root.channels) ? root.channels : {})) {
    if (!isObject(channel)) continue;
    // 3.x: channels list their messages; 2.x: publish and subscribe carry one, or a oneOf.
    for (const [key, message] of Object.entries(isObject(channel.messages) ? channel.messages : {})) note(message, key);
    for (const op of [channel.subscribe, channel.publish]) {
      const message = isObject(op) ? resolve(op.message) : undefined;
      if (isObject(message) && Array.isArray(message.oneOf)) for (const [i, alt] of message.oneOf.entries()) note(alt, `${name}-${i}`);
      else if (message) note(message, name);
    }
  }

  const rows: string[][] = [];
  const codes: DocCode[] = [];
  const described: DocPage[] = [];
  for (const [message, name] of messages) {
    const m = message as Json;
    const label = [m.name, m.title, m.summary, m.messageId, name].filter((t) => typeof t === "string").join(" ");
    const code = codeOf(m.payload, resolve);
    if (!code || !/error|fault|fail|reject|denied|exceed|invalid|problem|close/i.test(label + JSON.stringify(code.schema).slice(0, 200))) continue;
    const extension = isObject(m["x-ws-errors"]) ? m["x-ws-errors"] : undefined;
    const retry = extension && isObject(extension.retry) ? DIRECTIVE_WORDS[String(extension.retry.directive)] : undefined;
    const description = typeof m.description === "string" ? m.description.replace(/\s+/g, " ").trim() : "";
    const summary = [m.summary, m.title].find((t) => typeof t === "string") as string | undefined;
    for (const { code: value, description: meaning } of codesOf(code.schema, resolve)) {
      rows.push([
        `\`${value}\``,
        meaning ?? summary ?? description,
        meaning ? "" : summary ? description : "",
        typeof extension?.scope === "string" ? extension.scope : "",
        typeof extension?.kind === "string" ? extension.kind : "",
        retry ?? "",
      ]);
      const examples = Array.isArray(m.examples) ? m.examples.map((e) => (isObject(e) ? e.payload : undefined)).filter((p) => p !== undefined) : [];
      for (const payload of examples.length > 0 ? examples : [exampleOf(m.payload, code, value, resolve)])
        if (payload !== undefined) codes.push({ lang: "json", text: JSON.stringify(payload), context: description || summary });
    }
    if (description) described.push(readMarkdown(description));
  }
  // The document's own Markdown: the API's description, the channels', close-code tables in them.
  const info = isObject(root.info) ? root.info : {};
  for (const markdown of [
    info.description,
    ...Object.values(isObject(root.channels) ? root.channels : {}).map((c) => (isObject(c) ? c.description : undefined)),
  ])
    if (typeof markdown === "string") described.push(readMarkdown(markdown));
  const table: DocTable = { heading: "Error messages", header: ["Code", "Description", "Notes", "Scope", "Kind", "Retryable"], rows, line: 1, frames: true };
  // Columns nobody filled say nothing.
  const used = table.header.map((_, i) => i === 0 || rows.some((r) => (r[i] ?? "") !== ""));
  const tables: DocTable[] = [
    ...(rows.length > 0 ? [{ ...table, header: table.header.filter((_, i) => used[i]), rows: rows.map((r) => r.filter((_, i) => used[i])) }] : []),
    ...described.flatMap((p) => p.tables),
  ];
  const prose: DocProse[] = described.flatMap((p) => p.prose);
  const title = typeof info.title === "string" ? info.title : undefined;
  return {
    tables,
    codes: [...codes, ...described.flatMap((p) => p.codes)],
    prose,
    text: [title ?? "", ...prose.map((p) => p.text), ...tables.flatMap((t) => t.rows.map((r) => r.join(" ")))].join("\n"),
    ...(title !== undefined && { title }),
  };
}
