import { generate, loadCatalogText } from "@ws-errors/codegen";
import { describe, expect, it } from "vitest";

/* `dialect.requests.traceContext`: where requests may carry the client's W3C traceparent. */
const catalog = (traceContext: string) => `
name: traced
title: A traced API
version: "1"
dialect:
  requests: { command: op, requestId: id, traceContext: ${JSON.stringify(traceContext)} }
  frames:
    - { name: error, scope: both, match: [{ path: type, equals: error }], constant: { type: error }, code: code, message: message, requestId: id }
errors:
  - { id: bad-op, code: BAD_OP, kind: unknown-command, scope: command, summary: No such op., retry: { directive: stop }, frame: true }
`;

describe("dialect.requests.traceContext", () => {
  it("is a path the catalog names, and the reference page says where requests carry the traceparent", () => {
    const loaded = loadCatalogText(catalog("meta.traceparent"), "traced.yaml");
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.spec.dialect.requests?.traceContext).toBe("meta.traceparent");
    const page = generate([loaded]).find((f) => f.kind === "docs")?.content ?? "";
    expect(page).toContain("may carry the W3C `traceparent` of the client's span at `meta.traceparent`");
  });

  it("refuses a path that is not one, naming where", () => {
    const loaded = loadCatalogText(catalog("meta..traceparent"), "traced.yaml");
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.map((p) => p.path).join(" ")).toContain("traceContext");
  });
});
