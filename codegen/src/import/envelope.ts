import type { DocCode } from "./tables";

export interface Envelope {
  readonly found: boolean;
  readonly match: Record<string, unknown>[];
  readonly constant: Record<string, unknown>;
  readonly code?: string;
  readonly label?: string;
  readonly message?: string;
  readonly requestId?: string;
  readonly command?: string;
}

/* The envelope of an example error frame on the page: where a catalog code sits is the code's
   path, a message-like key the message's, and what the page says it is recognized by (or a
   type-like field) what marks it. */
export function envelopeOf(
  markdown: string,
  blocks: readonly DocCode[],
  errors: readonly { code: string | number; summary: string; frame?: unknown }[],
): Envelope {
  const codes = new Set(errors.map((e) => String(e.code)));
  const labels = new Set(errors.flatMap((e) => (typeof e.frame === "object" && e.frame !== null && "label" in e.frame ? [String(e.frame.label)] : [])));
  // What the page says in words: "recognized when `type` is `"error"`", "command at `op`", "correlation id at `req`".
  const said = /recognized when ((?:`[^`]+` is `[^`]+`(?: and )?)+)/.exec(markdown)?.[1];
  const conditions = said ? [...said.matchAll(/`([^`]+)` is `([^`]+)`/g)].map((m) => ({ path: m[1] as string, equals: parseJson(m[2] as string) })) : undefined;
  const command = /command at `([^`]+)`/.exec(markdown)?.[1];
  const correlation = /correlation id at `([^`]+)`/.exec(markdown)?.[1];
  for (const block of blocks) {
    if (!/^(json|jsonc|)$/i.test(block.lang)) continue;
    const value = parseJson(block.text);
    if (typeof value !== "object" || value === null) continue;
    // Arrays too: a channel protocol's frames are read through index paths ("3", "4.status").
    const leaves: [string, unknown][] = [];
    const walk = (node: unknown, path: string[]) => {
      if (typeof node === "object" && node !== null) for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
      else leaves.push([path.join("."), node]);
    };
    walk(value, []);
    const coded = leaves.find(([, v]) => codes.has(String(v)));
    const label = leaves.find(([p, v]) => p !== coded?.[0] && labels.has(String(v)))?.[0];
    // A frame that carries only a label (no code) is anchored by it.
    const code = coded ?? (label !== undefined ? ([label, undefined] as [string, unknown]) : undefined);
    if (!code) continue;
    // The field holding an entry's summary or its message template, else a message-like name.
    const templates = errors.flatMap((e) => {
      const template = typeof e.frame === "object" && e.frame !== null && "template" in e.frame ? String(e.frame.template) : undefined;
      return template === undefined
        ? []
        : [
            new RegExp(
              `^${template
                .split(/\{\w+\}/)
                .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
                .join(".*")}$`,
              "s",
            ),
          ];
    });
    const squeeze = (text: string) => text.replace(/\s+/g, " ").trim();
    const summaries = new Set(errors.map((e) => squeeze(e.summary)));
    const message =
      leaves.find(([p, v]) => p !== code[0] && typeof v === "string" && (summaries.has(squeeze(v)) || templates.some((t) => t.test(v))))?.[0] ??
      leaves.find(
        ([p, v]) => p !== code[0] && typeof v === "string" && /(^|\.)(message|msg|text|reason|description|detail|error_?message|errorMessage)$/i.test(p),
      )?.[0];
    const requestId = correlation ?? leaves.find(([p, v]) => v === "req-1" || /(^|\.)(request_?id|req_?id|ref|nonce|correlation_?id)$/i.test(p))?.[0];
    const marker = leaves.find(
      ([p, v]) => typeof v === "string" && p !== code[0] && (/^error$/i.test(v) || /(^|\.)(type|msg_type|event|kind|op|action)$/i.test(p)),
    );
    const match = conditions ?? (marker ? [{ path: marker[0], equals: marker[1] }] : [{ path: code[0], exists: true }]);
    const constant = Object.fromEntries(match.filter((c) => "equals" in c).map((c) => [c.path, (c as { equals: unknown }).equals]));
    return {
      found: true,
      match,
      constant,
      ...(coded && { code: coded[0] }),
      ...(label && { label }),
      ...(message && { message }),
      ...(requestId && { requestId }),
      ...(command && { command }),
    };
  }
  return {
    found: false,
    match: conditions ?? [{ path: "type", equals: "error" }],
    constant: Object.fromEntries((conditions ?? [{ path: "type", equals: "error" }]).map((c) => [c.path, c.equals])),
    code: "code",
    ...(command && { command }),
    ...(correlation && { requestId: correlation }),
  };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** An example HTTP response on the page: a refused upgrade as the API sends it. */
export interface HttpExample {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/* "HTTP/1.1 401 Unauthorized", header lines, a blank line, a JSON body. */
export function httpExamples(blocks: readonly DocCode[]): HttpExample[] {
  return blocks.flatMap((block) => {
    const found = /^\s*HTTP\/[\d.]+ (\d{3})[^\n]*\n((?:[\w-]+:[^\n]*\n)*)\s*\n?([\s\S]*)$/.exec(block.text);
    if (!found) return [];
    const headers = Object.fromEntries(
      (found[2] ?? "")
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.slice(0, line.indexOf(":")).trim(), line.slice(line.indexOf(":") + 1).trim()]),
    );
    return [{ status: Number(found[1]), headers, body: parseJson((found[3] ?? "").trim()) }];
  });
}

/** A code an example error frame shows, with what the page says around it. */
export interface ExampleCode {
  readonly code: string | number;
  readonly message?: string;
  /** The example carries a correlation id: it answers a request. */
  readonly answers: boolean;
  readonly context?: string | undefined;
  readonly after?: string | undefined;
}

const MESSAGE_KEY = /^(message|msg|detail|description|reason|text|error_?message|errorMessage)$/i;
const REQUEST_KEY = /^(ref|req_?id|reqid|request_?id|requestId|id|nonce|correlation_?id)$/i;

/**
 * Codes that example error frames carry at a code-like key (`code`, `error.code`, or an `error`
 * field holding an identifier): an example is also a fact about which codes exist, even where no
 * table lists them.
 */
export function exampleCodes(blocks: readonly DocCode[]): ExampleCode[] {
  const found: ExampleCode[] = [];
  for (const block of blocks) {
    if (!/^(json|jsonc|)$/i.test(block.lang)) continue;
    const value = parseJson(block.text);
    if (typeof value !== "object" || value === null) continue;
    const visit = (node: unknown, errorish: boolean) => {
      if (typeof node !== "object" || node === null) return;
      const record = node as Record<string, unknown>;
      const marked = errorish || Object.values(record).some((v) => v === "error") || "error" in record || record.success === false;
      const named =
        typeof record.error === "string" && /^[A-Za-z][\w.-]*$/.test(record.error) && /[_A-Z.-]|^[a-z]+$/.test(record.error) ? record.error : undefined;
      const code = record.code ?? record.error_code ?? record.errorCode ?? named;
      if (marked && (typeof code === "string" || typeof code === "number")) {
        const key = Object.keys(record).find((k) => MESSAGE_KEY.test(k) && typeof record[k] === "string" && !/^\.+$/.test(record[k] as string));
        found.push({
          code,
          ...(key && { message: record[key] as string }),
          answers: Object.keys(record).some((k) => REQUEST_KEY.test(k) && k !== "id") || Object.keys(value).some((k) => REQUEST_KEY.test(k) && k !== "id"),
          context: block.context,
          after: block.after,
        });
      }
      for (const child of Object.values(record)) visit(child, marked);
    };
    visit(value, false);
  }
  return found;
}
