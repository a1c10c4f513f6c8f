// Runs in Chromium: the client conformance suite on the RxJS connection over the native WebSocket.
import { rxFacade } from "./rx-facade";
import { runScenarios } from "./scenarios";

(globalThis as unknown as { runConformance: (base: string, runId: string, refused: string) => Promise<Record<string, unknown>> }).runConformance = (
  base,
  runId,
  refused,
) => runScenarios(rxFacade(), base, runId, refused);
