import { memoryState } from "../src/index";
import { stateContract } from "./state-contract";

stateContract("memory", async () => {
  const state = memoryState({ historyRetention: 100 });
  return { a: state, b: state, close: async () => state.close() };
});
