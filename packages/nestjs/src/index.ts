import { applyDecorators, UseFilters } from "@nestjs/common";
import { SubscribeMessage, WebSocketGateway, type GatewayMetadata } from "@nestjs/websockets";
import { WsErrorsExceptionFilter } from "./filter";
import type { WsErrorsModuleOptions } from "./options";

export { WsErrorsModule, type WsErrorsModuleAsyncOptions } from "./module";
export { WsErrorsAdapter } from "./adapter";
export { WsErrorsExceptionFilter } from "./filter";
export { WS_ERRORS_OPTIONS, type WsErrorsModuleOptions } from "./options";

/**
 * Declares the command a gateway handler answers, matched on the dialect's command field
 * (`cmd`, `method`, `msg_type`); its reply gets the request's correlation id automatically.
 * The same as `@SubscribeMessage(command)`.
 *
 * @example
 * ```ts
 * @Command("subscribe")
 * subscribe(@MessageBody() message: { pairs: string[] }) { return { method: "subscribe", success: true }; }
 * ```
 */
export const Command = (command: string): MethodDecorator => SubscribeMessage(command);

export { connectionOf as connectionOfSocket } from "./registry";

/**
 * `@WebSocketGateway(options)` with {@link WsErrorsExceptionFilter} on the whole gateway. Nest
 * never applies global filters to gateways (its WS filter context has no global filters), so
 * the filter has to be on the gateway for thrown errors to reach raw `ws` clients.
 *
 * @example
 * ```ts
 * @WsErrorsGateway({ path: "/v1/rates" })
 * export class RatesGateway {
 *   @Command("subscribe")
 *   subscribe(@MessageBody() message: { pairs: string[] }) {
 *     if (!message.pairs.every(known)) throw new UnknownSymbolError({ message: "Unsupported symbol" });
 *     return { method: "subscribe", success: true };
 *   }
 * }
 * ```
 */
export function WsErrorsGateway(options: GatewayMetadata & { path: string } & Partial<WsErrorsModuleOptions>): ClassDecorator {
  return applyDecorators(WebSocketGateway(options), UseFilters(WsErrorsExceptionFilter));
}
