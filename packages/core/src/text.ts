/** The most a close reason may hold: a close frame's payload is 125 bytes, 2 of them the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

const encoder = /* @__PURE__ */ new TextEncoder();

/**
 * Cuts a close reason to at most 123 bytes of UTF-8 without splitting a character, so `ws` and
 * browsers never reject the close for its length.
 *
 * @example
 * ```ts
 * truncateCloseReason("é".repeat(100)); // 61 characters, 122 bytes
 * ```
 */
export function truncateCloseReason(reason: string, maxBytes = MAX_CLOSE_REASON_BYTES): string {
  if (reason.length * 3 <= maxBytes) return reason;
  if (encoder.encode(reason).length <= maxBytes) return reason;
  let bytes = 0;
  let end = 0;
  for (const char of reason) {
    const size = utf8Length(char.codePointAt(0) as number);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return reason.slice(0, end);
}

export function utf8ByteLength(text: string): number {
  return encoder.encode(text).length;
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * Makes text safe for an HTTP header value: CR, LF and every other control character become a
 * space, characters outside printable ASCII become `?`, and the result is trimmed to 200
 * characters. Untrusted text can therefore never split a response or inject a header.
 *
 * @example
 * ```ts
 * sanitizeHeaderValue("bad\r\nSet-Cookie: x=1"); // "bad  Set-Cookie: x=1"
 * ```
 */
export function sanitizeHeaderValue(text: string, maxLength = 200): string {
  let out = "";
  for (let i = 0; i < text.length && out.length < maxLength; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) out += " ";
    else if (c > 0x7e) out += "?";
    else out += text[i];
  }
  return out.trim();
}

/**
 * The number a wire code stands for: a number itself, or the canonical decimal text of an integer
 * (`"9007"`, `"-32050"`; not `"007"` or `"1e3"`), which APIs send for numeric codes. `undefined`
 * for any other text.
 *
 * @example
 * ```ts
 * numericCode("-32050"); // -32050
 * numericCode("TOO_FAST"); // undefined
 * ```
 */
export function numericCode(code: string | number): number | undefined {
  if (typeof code === "number") return code;
  return /^-?(0|[1-9][0-9]{0,15})$/.test(code) ? Number(code) : undefined;
}
