/** Where the server reports what it does not send to clients. */
export interface Logger {
  error(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
}

const PATTERNS: readonly RegExp[] = [
  /(authorization["']?\s*[:=]\s*["']?\s*bearer\s+)[^\s"',;]+/gi,
  /(bearer\s+)[^\s"',;]+/gi,
  /((?:x-)?api[-_]?key["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi,
  /([?&]api[-_]?key=)[^&\s"']+/gi,
];

/**
 * Removes API keys from text bound for a log: the secrets it is given, and anything that looks
 * like a key in a header, a bearer token or a query parameter.
 *
 * @example
 * ```ts
 * redact("GET /ws?api_key=sk_live_1", []); // "GET /ws?api_key=[redacted]"
 * ```
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("[redacted]");
  for (const pattern of PATTERNS) out = out.replace(pattern, "$1[redacted]");
  return out;
}

/** A logger that writes to stderr, redacting keys; the server's default. */
export const consoleLogger: Logger = {
  error: (message, context) => console.error(`[ws-errors] ${message}`, context ?? ""),
  warn: (message, context) => console.warn(`[ws-errors] ${message}`, context ?? ""),
};

/** Wraps a logger so every message and context string goes through {@link redact}. */
export function redactingLogger(logger: Logger, secrets: () => readonly string[]): Logger {
  const clean = (context?: Record<string, unknown>) =>
    context === undefined ? undefined : (JSON.parse(redact(JSON.stringify(context, errorReplacer), secrets())) as Record<string, unknown>);
  return {
    error: (message, context) => logger.error(redact(message, secrets()), clean(context)),
    warn: (message, context) => logger.warn(redact(message, secrets()), clean(context)),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
