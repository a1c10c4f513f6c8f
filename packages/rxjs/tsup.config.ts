import { adapterConfig } from "../../tsup.shared.ts";

// Browsers too: no Node-only target.
export default adapterConfig(["rxjs"], "es2022");
