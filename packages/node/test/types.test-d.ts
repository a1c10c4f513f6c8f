import { collective2, type Collective2Error } from "@ws-errors/core/catalogs/collective2";
import type { UncataloguedError } from "@ws-errors/core";
import { describe, expectTypeOf, it } from "vitest";
import { connect, WsErrorServer, type ServerConnection } from "../src/index";

describe("the client's typed events", () => {
  it("takes only its own event names, with listeners of their types", () => {
    const client = connect("ws://127.0.0.1:9/", { codec: collective2, reconnect: false });
    client.on("catalog-error", (error) => expectTypeOf(error).toEqualTypeOf<Collective2Error | UncataloguedError>());
    client.once("stopped", (error) => expectTypeOf(error?.kind).not.toBeAny());
    client.off("message", () => undefined);
    // @ts-expect-error an unknown event name does not compile
    client.on("mesage", () => undefined);
    // @ts-expect-error nor does a listener of another event's type
    client.on("close", (info: { code: string }) => info);
    // @ts-expect-error off is typed as on is
    client.off("catalog-eror", () => undefined);
    client.close();
  });
});

describe("the server's typed events", () => {
  it("takes connection and close, with listeners of their types", () => {
    const server = new WsErrorServer({ codec: collective2 });
    server.on("connection", (connection) => expectTypeOf(connection).toEqualTypeOf<ServerConnection>());
    server.once("close", () => undefined);
    // @ts-expect-error an unknown event name does not compile
    server.on("conection", () => undefined);
    // @ts-expect-error nor does a listener of another type
    server.on("connection", (connection: string) => connection);
    void server.close();
  });
});
