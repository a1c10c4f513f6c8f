import { adapterConfig } from "../../tsup.shared.ts";

export default adapterConfig(["ws", "@ws-errors/server"]);
