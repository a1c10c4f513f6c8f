import { createServer as createNetServer } from "node:net";
import { expect } from "vitest";

/** A port nothing listens on: a connection to it is refused. */
export const closedPort = () =>
  new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/**
 * What every facade must observe, in Node and in a browser. `browser`: a refused upgrade is seen
 * as the catalog's fallback close, and the transport does not say why a connection failed.
 */
export function expectConformance(results: Record<string, unknown>, { browser }: { browser: boolean }): void {
  const r = results as Record<string, Record<string, unknown>>;
  expect(r.stop).toMatchObject({
    errors: [{ name: "UnauthorizedError", directive: "stop", layer: browser ? "close" : "upgrade" }],
    decisions: ["stop"],
    ended: "UnauthorizedError",
    opens: browser ? 1 : 0,
  });
  expect(r.retryLater).toEqual({ reply: { msg_type: "ack", request_id: 1 }, decisions: ["retry-later"] });
  expect(r.reconnect).toMatchObject({ opens: 2, decisions: ["reconnect"], errors: [{ kind: "internal", layer: "close", directive: "reconnect" }] });
  expect(r.resume).toEqual({ seqs: [1, 2, 3, 4, 5, 6, 7, 8], resumedWith: [5], decisions: ["resume"] });
  expect(r.goingAway).toEqual({
    seqs: [1, 2, 3, 4, 5, 6],
    resumedWith: [3],
    decisions: ["resume"],
    errors: [{ name: "UncataloguedError", kind: "service-unavailable", layer: "close", directive: "resume", field: undefined }],
    esca: { opens: 2, decisions: ["reconnect"] },
  });
  expect(r.refresh).toMatchObject({
    refreshed: 1,
    opens: 2,
    decisions: ["none", "refresh-credentials"],
    errors: [
      { name: "AuthFailedError", layer: "frame" },
      { name: "AuthFailedError", layer: "close" },
    ],
  });
  expect(r.freeConnection).toMatchObject({
    reopened: true,
    decisions: ["free-connection"],
    errors: [{ name: "TooManyConnectionsError", directive: "free-connection", layer: browser ? "close" : "upgrade" }],
  });
  expect(r.commandScope).toEqual({
    rejected: { name: "UnknownSymbolError", kind: "not-found", layer: "frame", directive: "stop" },
    after: true,
    decisions: ["stop"],
  });
  expect(r.connectionScope).toEqual({
    errors: [{ name: "InvalidMessageError", kind: "invalid-message", layer: "frame", directive: "stop" }],
    decisions: ["none"],
    after: true,
  });
  expect(r.multiError).toEqual({
    rejected: {
      name: "MandatoryParamEmptyOrMalformedError",
      kind: "invalid-argument",
      layer: "frame",
      directive: "stop",
      field: "payload.action",
      all: 3,
      fields: ["payload.action", "payload.channel", "payload.strategy_id"],
    },
    reported: 3,
  });
  expect(r.requestBeforeOpen).toBe("ack");
  expect(r.refused).toMatchObject({ ended: { kind: "client-disconnect", layer: "close" }, decisions: ["resume", "resume", "stop"] });
  if (!browser) expect(String(r.refused?.cause)).toContain("ECONNREFUSED");
}
