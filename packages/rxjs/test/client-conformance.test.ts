import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebSocketLike } from "../src/index";
import { nodeFacade } from "./conformance/node-facade";
import { rxFacade } from "./conformance/rx-facade";
import { closedPort, expectConformance } from "./conformance/expectations";
import { runScenarios, type Facade } from "./conformance/scenarios";
import { startScenarioServer, type ScenarioServer } from "./conformance/server";

describe("client conformance (Node)", () => {
  let server: ScenarioServer;
  beforeAll(async () => {
    server = await startScenarioServer();
  });
  afterAll(async () => server?.close());

  it.each([
    ["@ws-errors/node connect()", nodeFacade],
    ["@ws-errors/rxjs wsErrorsConnection() on ws", rxFacade((url) => new WebSocket(url) as unknown as WebSocketLike)],
  ] as [string, Facade][])(
    "%s: every directive, every layer, the first-use bugs",
    async (name, facade) => {
      const results = await runScenarios(facade, server.url, name.replace(/\W+/g, "-"), `ws://127.0.0.1:${await closedPort()}/`);
      expectConformance(results, { browser: false });
      // Retries and resumes reached the server as often as the catalog says, and no more.
      const runId = name.replace(/\W+/g, "-");
      expect(server.seen(`${runId}-unauthorized`).attempts).toBe(1);
      expect(server.seen(`${runId}-busy`).messages).toBe(2);
      expect(server.seen(`${runId}-revoke`).urls).toEqual([`?s=revoke&id=${runId}-revoke&key=old`, `?s=revoke&id=${runId}-revoke&key=new`]);
    },
    30_000,
  );
});
