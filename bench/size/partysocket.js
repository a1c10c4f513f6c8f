import { WebSocket } from "partysocket";

export default WebSocket;
