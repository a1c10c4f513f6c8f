import type { Codec, Decoder } from "./codec";
import type { WsError } from "./errors";
import { define } from "./path";

/**
 * How a dialect's frames are written as text. JSON unless the catalog names another grammar: text
 * protocols frame messages as a command line, `key:value` headers, a blank line and a body. A
 * grammar turns a text frame into the value catalog paths read, and back; codecs, both client
 * facades and `WsErrorServer` use their codec's grammar on every path (frames read, errors written,
 * requests and replies).
 *
 * @example
 * ```ts
 * const lines: FrameGrammar = {
 *   name: "pipe-lines",
 *   parse: (text) => (text.includes("|") ? Object.fromEntries([text.split("|", 2)]) : undefined),
 *   write: (value) => Object.entries(value as Record<string, string>).map(([k, v]) => `${k}|${v}`).join("\n"),
 * };
 * ```
 */
export interface FrameGrammar {
  readonly name: string;
  /** A text frame as the value paths read, or `undefined` when the text is not a frame of this grammar. */
  parse(text: string): unknown;
  /** A value (what the encoder builds, a request, a reply) as the text frame it is sent as. */
  write(value: unknown): string;
}

/* Header escapes of the header/body shape: a value or key may not hold a line break or a colon raw. */
const ESCAPES: Record<string, string> = { "\\\\": "\\", "\\n": "\n", "\\r": "\r", "\\c": ":" };
const unescapeHeader = (text: string) => (text.includes("\\") ? text.replace(/\\[\\nrc]/g, (pair) => ESCAPES[pair] as string) : text);
const escapeHeader = (text: string) => text.replace(/[\\\n\r:]/g, (c) => (c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : "\\c"));
const COMMAND = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * The header/body grammar of text messaging protocols (the one Java shops run over WebSockets):
 * a command line, `key:value` headers (escaped: `\\`, `\n`, `\r`, `\c` for a colon; the first of a
 * repeated header wins), a blank line, a body, and a NUL. Read as `{ command, headers, body }`, so
 * catalog paths are `command`, `headers.message`, `headers.receipt-id`, `body`. Lines may end with
 * CRLF; a frame of line breaks alone (a heartbeat) is not a frame.
 *
 * @example
 * ```ts
 * HEADER_FRAMES.parse("ERROR\nmessage:access refused\n\nno such queue\0");
 * // { command: "ERROR", headers: { message: "access refused" }, body: "no such queue" }
 * ```
 */
export const HEADER_FRAMES: FrameGrammar = {
  name: "headers",
  parse(text) {
    const nul = text.indexOf("\0");
    const frame = (nul < 0 ? text : text.slice(0, nul)).replace(/^(\r?\n)+/, "");
    const lines = frame.split("\n");
    const command = (lines[0] ?? "").replace(/\r$/, "");
    if (!COMMAND.test(command)) return undefined;
    const headers: Record<string, string> = {};
    let i = 1;
    for (; i < lines.length; i++) {
      const line = (lines[i] as string).replace(/\r$/, "");
      if (line === "") break;
      const colon = line.indexOf(":");
      if (colon <= 0) return undefined;
      const key = unescapeHeader(line.slice(0, colon));
      if (!Object.hasOwn(headers, key)) define(headers, key, unescapeHeader(line.slice(colon + 1)));
    }
    return { command, headers, body: lines.slice(i + 1).join("\n") };
  },
  write(value) {
    const frame = (typeof value === "object" && value !== null ? value : {}) as { command?: unknown; headers?: unknown; body?: unknown };
    let out = `${typeof frame.command === "string" ? frame.command : "MESSAGE"}\n`;
    if (typeof frame.headers === "object" && frame.headers !== null) {
      for (const [key, header] of Object.entries(frame.headers)) {
        if (header === undefined || header === null) continue;
        out += `${escapeHeader(key)}:${escapeHeader(typeof header === "string" ? header : JSON.stringify(header))}\n`;
      }
    }
    const body = frame.body === undefined || frame.body === null ? "" : typeof frame.body === "string" ? frame.body : JSON.stringify(frame.body);
    return `${out}\n${body}\0`;
  },
};

/**
 * A codec (or decoder) whose frames are text in a grammar of one's own: text frames are parsed with
 * it before decoding and errors written with it, and the client facades and `WsErrorServer` read and
 * write every message with it. Built-in grammars (`dialect.grammar: headers`) need no wrapping.
 *
 * @example
 * ```ts
 * const codec = withGrammar(createCodec(spec), HEADER_FRAMES);
 * codec.decodeFrame("ERROR\nmessage:access refused\n\n\0");
 * ```
 */
export function withGrammar<E extends WsError, C extends Decoder<E>>(codec: C, grammar: FrameGrammar): C {
  const read = (input: unknown) => (typeof input === "string" ? grammar.parse(input) : input);
  const wrapped: Decoder<E> & Partial<Pick<Codec<E>, "encodeFrameText">> = {
    ...codec,
    grammar,
    decodeFrame: (input) => {
      const value = read(input);
      return value === undefined ? null : codec.decodeFrame(value);
    },
    decodeFrameErrors: (input) => {
      const value = read(input);
      return value === undefined ? [] : codec.decodeFrameErrors(value);
    },
  };
  const encodeFrame = (codec as unknown as Partial<Codec<E>>).encodeFrame;
  if (encodeFrame) wrapped.encodeFrameText = (input, options) => grammar.write(encodeFrame(input, options));
  return wrapped as unknown as C;
}
