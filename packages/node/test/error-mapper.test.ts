import { createCodec, type Codec, type WsError } from "@ws-errors/core";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { infoway } from "@ws-errors/core/catalogs/infoway";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorMapper } from "../src/index";
import { raw, start, until, type Running } from "./helpers";

/* Esca's catalog without its internal entry, and without its invalid-message entry: what a user's
   small catalog often looks like. */
const lean = createCodec({
  ...escaRates.catalog,
  name: "lean",
  errors: escaRates.catalog.errors.filter((e) => e.kind !== "internal" && e.kind !== "invalid-message"),
}) as Codec<WsError>;
let running: Running | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe("one server error mapper", () => {
  it("never sends a thrown object: a catalog with no internal entry answers with the built-in internal error (it sent the exception's message)", async () => {
    running = await start({
      codec: lean,
      commands: {
        subscribe: () => {
          throw new Error("db password hunter2");
        },
      },
    });
    const { ws, messages } = await raw(running.url);
    ws.send(JSON.stringify({ method: "subscribe", req_id: 1 }));
    await until(() => messages.length === 1, "the answer");
    expect(JSON.stringify(messages[0])).not.toContain("hunter2");
    expect(messages[0]).toEqual({ success: false, req_id: 1, method: "subscribe", error: { code: "internal_error", message: "Internal error" } });
    expect(ws.readyState).toBe(ws.OPEN);
    // The log names what was thrown.
    expect(running.logs[0]?.message).toBe("the subscribe handler threw Error: db password hunter2; the client gets internal_error");
    ws.close();
  });

  it("never stands in an entry it cannot write: a thrown exception is not answered with a templated entry's unfilled text (it sent 'maintenance in {minutes} minutes')", async () => {
    // The lean catalog plus a service-unavailable entry (a kind the internal role accepts) whose message is a template.
    const maintenance = {
      id: "maintenance",
      className: "MaintenanceError",
      code: "maintenance",
      kind: "service-unavailable",
      scope: "connection",
      summary: "Maintenance is coming.",
      retry: { directive: "reconnect" },
      details: { minutes: { type: "integer" } },
      frame: { code: "maintenance", template: "maintenance in {minutes} minutes" },
    } as const;
    const templated = createCodec({ ...lean.catalog, name: "templated", errors: [...lean.catalog.errors, maintenance] }) as Codec<WsError>;
    running = await start({
      codec: templated,
      commands: {
        subscribe: () => {
          throw new Error("boom");
        },
      },
    });
    const { ws, messages } = await raw(running.url);
    ws.send(JSON.stringify({ method: "subscribe", req_id: 2 }));
    await until(() => messages.length === 1, "the answer");
    expect(messages[0]).toEqual({ success: false, req_id: 2, method: "subscribe", error: { code: "internal_error", message: "Internal error" } });
    expect(running.logs[0]?.message).toBe("the subscribe handler threw Error: boom; the client gets internal_error");
    expect(new ErrorMapper(templated, { logger: { error: () => undefined, warn: () => undefined } }).builtIns()).toContain("internal");
    ws.close();
  });

  it("answers malformed input with a non-closing entry, never an unrelated closing one (it closed with 1009 'Message too big')", async () => {
    // Infoway's invalid-parameter-format (515) does not close; a catalog whose only invalid-message entry closes gets the built-in.
    const closing = createCodec({
      ...infoway.catalog,
      name: "closing",
      errors: infoway.catalog.errors.map((e) =>
        e.kind === "invalid-message" ? { ...e, close: { code: 1009, reason: "Message too big", matchReason: false } } : e,
      ),
    }) as Codec<WsError>;
    running = await start({ codec: closing, onMessage: () => ({ code: 200 }) });
    const { ws, messages } = await raw(running.url);
    ws.send("{not json");
    await until(() => messages.length === 1, "the answer");
    expect(messages[0]).toMatchObject({ code: "invalid_message", msg: "Malformed message" });
    await new Promise((r) => setTimeout(r, 50));
    expect(ws.readyState).toBe(ws.OPEN);
    ws.close();
  });

  it("lists the built-ins a catalog relies on", () => {
    const logger = { error: () => undefined, warn: () => undefined };
    expect(new ErrorMapper(lean, { logger }).builtIns()).toEqual(["malformed", "unknownCommand", "internal"]);
    expect(new ErrorMapper(escaRates, { logger }).builtIns()).toEqual([]);
  });
});
