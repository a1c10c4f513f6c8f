import { webSocket } from "rxjs/webSocket";

export default webSocket;
