import type { Server } from "node:http";
import type { INestApplicationContext } from "@nestjs/common";
import type { MessageMappingProperties } from "@nestjs/websockets";
import { WsAdapter } from "@nestjs/platform-ws";
import { errorOfKind, WsErrorServer, type CommandHandler, type IncomingCommand, type ServerConnection } from "@ws-errors/node";
import { firstValueFrom, isObservable, type Observable } from "rxjs";
import type { WebSocket, WebSocketServer } from "ws";
import { WS_ERRORS_OPTIONS, type WsErrorsModuleOptions } from "./options";
import { register, takeFiltered, unregister } from "./registry";

type Handlers = Map<string, MessageMappingProperties>;
type Transform = (data: unknown) => Observable<unknown>;

/**
 * A `WsAdapter` (`@nestjs/platform-ws`) whose gateways speak the catalog: upgrades pass the
 * module's `authenticate` hook and policies before the upgrade and are refused with the catalog's
 * HTTP answer (nestjs/nest#882); messages are dispatched on the dialect's command field (`cmd`,
 * `method`, `msg_type`) to `@SubscribeMessage` handlers, replies echo the correlation id, a
 * malformed message or an unknown command gets the catalog's error, and policies run on every
 * message.
 *
 * @example
 * ```ts
 * const app = await NestFactory.create(AppModule); // imports WsErrorsModule.forRoot({ codec: escaRates, policies })
 * app.useWebSocketAdapter(new WsErrorsAdapter(app));
 * ```
 */
export class WsErrorsAdapter extends WsAdapter {
  private readonly options: WsErrorsModuleOptions;
  private readonly servers = new Map<WebSocketServer, WsErrorServer>();
  private readonly handlers = new WeakMap<WebSocket, { handlers: Handlers; transform: Transform }>();
  private readonly routes = new Map<Server, Map<string, WsErrorServer>>();

  constructor(app: INestApplicationContext, options?: WsErrorsModuleOptions) {
    super(app);
    this.options = options ?? app.get<WsErrorsModuleOptions>(WS_ERRORS_OPTIONS);
  }

  override create(port: number, gateway: Partial<WsErrorsModuleOptions> & { path?: string } = {}): WebSocketServer {
    if (port !== 0 || !this.httpServer)
      throw new Error("WsErrorsAdapter serves gateways on the application's HTTP server: use @WebSocketGateway({ path }) without a port");
    const path = gateway.path ?? "/";
    // A gateway may speak its own catalog, with its own policies: they override the module's.
    const options: WsErrorsModuleOptions = { ...this.options, ...pick(gateway, ["codec", "policies", "authenticate", "browserFallback", "errors", "logger"]) };
    const server = new WsErrorServer({
      codec: options.codec,
      ...(options.authenticate && { authenticate: options.authenticate }),
      ...(options.policies && { policies: options.policies }),
      ...(options.browserFallback !== undefined && { browserFallback: options.browserFallback }),
      ...(options.errors && { errors: options.errors }),
      ...(options.logger && { logger: options.logger }),
      ...(options.state && { state: options.state }),
      // Gateways broadcast through `server.clients`, as they do on Nest's own ws adapter.
      clientTracking: options.clientTracking ?? true,
      onMessage: (message, connection) => this.dispatch(message, connection, options),
    });
    register(server);
    this.servers.set(server.wsServer, server);
    this.route(this.httpServer as Server, path, server);
    return server.wsServer;
  }

  /* Upgrades go through the WsErrorServer of their path: checks first, then the upgrade. */
  private route(http: Server, path: string, server: WsErrorServer): void {
    let byPath = this.routes.get(http);
    if (!byPath) {
      const table = new Map<string, WsErrorServer>();
      byPath = table;
      this.routes.set(http, table);
      http.on("upgrade", (request, socket, head) => {
        const target = table.get(new URL(request.url ?? "/", "http://x").pathname);
        if (target) void target.handleUpgrade(request, socket, head);
        else socket.end("HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
      });
    }
    byPath.set(path, server);
  }

  override bindMessageHandlers(client: WebSocket, handlers: MessageMappingProperties[], transform: Transform): void {
    // The WsErrorServer reads every message (parsing, policies) and dispatches it here.
    this.handlers.set(client, { handlers: new Map(handlers.map((h) => [h.message as string, h])), transform });
  }

  private async dispatch(message: IncomingCommand, connection: ServerConnection, options: WsErrorsModuleOptions): Promise<unknown> {
    const bound = this.handlers.get(connection.socket);
    const handler = message.command === undefined ? undefined : bound?.handlers.get(message.command);
    if (!bound || !handler) {
      const unknown = options.errors?.unknownCommand
        ? new options.errors.unknownCommand()
        : errorOfKind(options.codec, ["unknown-command", "invalid-argument", "invalid-message"], "frame");
      throw unknown;
    }
    // Timed and traced as the server's own commands are: a gateway's handlers are its commands.
    const call = async () => {
      const result = bound.transform(handler.callback(message.data, message.command));
      return isObservable(result) ? await firstValueFrom(result, { defaultValue: undefined }) : await result;
    };
    const done = connection.server?.measureCommand(message.command as string, message.data);
    // Nothing measures: no bookkeeping on the way (the full bench measured it on every command).
    if (!done) return call();
    takeFiltered(connection);
    try {
      const reply = await call();
      done(takeFiltered(connection));
      return reply;
    } catch (thrown) {
      done(connection.server?.asCatalogError(thrown, `the ${message.command} handler`));
      throw thrown;
    }
  }

  override async close(server: WebSocketServer): Promise<void> {
    const ours = this.servers.get(server);
    if (!ours) return super.close(server);
    unregister(ours);
    this.servers.delete(server);
    await ours.close();
  }
}

export type { CommandHandler };

function pick<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
