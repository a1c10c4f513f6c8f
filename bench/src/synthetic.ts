import { KIND_NAMES, KINDS } from "@ws-errors/core";

/**
 * A valid catalog of `size` errors in Collective2's dialect, spread over every kind and layer,
 * for measuring generation time by catalog size.
 */
export function syntheticCatalog(size: number): string {
  const lines = [
    `name: synthetic-${size}`,
    "title: Synthetic",
    'version: "1"',
    "dialect:",
    "  sequence: seq_id",
    "  frames:",
    "    - { name: error, scope: both, match: [{ path: msg_type, equals: error }], code: payload.code, message: payload.message, field: payload.field, requestId: request_id, errors: payload.errors, details: payload, constant: { msg_type: error, v: 4 } }",
    "  upgrade: { header: X-WS-Error, code: code, message: message }",
    "errors:",
  ];
  for (let i = 0; i < size; i++) {
    const kind = KIND_NAMES[i % KIND_NAMES.length]!;
    const directive = KINDS[kind].directive;
    lines.push(`  - id: error-${i}`);
    lines.push(`    code: E${i}`);
    lines.push(`    kind: ${kind}`);
    lines.push("    scope: both");
    lines.push(`    summary: Synthetic error number ${i}.`);
    lines.push(`    retry: { directive: ${directive} }`);
    lines.push("    details: { limit: { type: integer }, plan: { type: string } }");
    lines.push("    frame: true");
    if (i % 10 === 0) lines.push(`    upgrade: { status: ${400 + (i % 100)} }`);
    if (i % 10 === 1 && i < 2000) lines.push(`    close: { code: ${3000 + i}, reason: closed ${i} }`);
  }
  return `${lines.join("\n")}\n`;
}
