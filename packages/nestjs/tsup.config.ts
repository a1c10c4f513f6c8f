import { adapterConfig } from "../../tsup.shared.ts";

export default adapterConfig([/^@nestjs\//, "@ws-errors/node", "rxjs", "ws"]);
