import { Catch, HttpException, Inject, type ArgumentsHost, type WsExceptionFilter } from "@nestjs/common";
import { WsException } from "@nestjs/websockets";
import type { KindName, WsError, WsErrorInit } from "@ws-errors/core";
import { errorOfKind, requestFields, type WsErrorServer } from "@ws-errors/node";
import type { WebSocket } from "ws";
import { WS_ERRORS_OPTIONS, type WsErrorsModuleOptions } from "./options";
import { noteFiltered, serverAndConnectionOf } from "./registry";

const STATUS_KINDS: Record<number, KindName> = {
  400: "invalid-argument",
  401: "unauthenticated",
  403: "permission-denied",
  404: "not-found",
  409: "already-exists",
  429: "rate-limited",
};

/**
 * Sends whatever a gateway handler throws to the raw `ws` client, as the catalog says: catalog
 * errors as they are; `WsException`, `HttpException` and ValidationPipe failures as the catalog's
 * entry of the matching kind (invalid argument, with the field); anything else as the catalog's
 * internal error with nothing of it sent, logged on the server. Nest's own base filter calls
 * `client.emit`, which sends nothing on a raw `ws` socket (nestjs/nest#9056); this one writes to it.
 *
 * @example
 * ```ts
 * // registered by WsErrorsModule.forRoot as a global filter; or per gateway:
 * @UseFilters(WsErrorsExceptionFilter)
 * ```
 */
@Catch()
export class WsErrorsExceptionFilter implements WsExceptionFilter {
  constructor(@Inject(WS_ERRORS_OPTIONS) private readonly options: WsErrorsModuleOptions) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== "ws") throw exception;
    const ws = host.switchToWs();
    const client = ws.getClient<WebSocket>();
    const found = serverAndConnectionOf(client);
    if (!found) return;
    const { command, requestId } = requestFields(found.connection.codec)(ws.getData());
    const error = this.toCatalogError(exception, found.server, command);
    // Only while the adapter measures the command (metrics or spans on): otherwise nobody asks.
    if (found.server.telemetry || found.server.tracer) noteFiltered(found.connection, Array.isArray(error) ? (error[0] as WsError) : (error as WsError));
    found.connection.sendError(error, { requestId, command });
  }

  /**
   * The catalog error an exception stands for: Nest's own exceptions by their meaning, anything
   * else through the server's error mapper (the one `WsErrorServer` uses), logged by its
   * redacting logger.
   */
  toCatalogError(exception: unknown, server: WsErrorServer, command?: string): WsError | WsError[] {
    // The gateway's catalog, which may not be the module's default.
    const codec = server.codec;
    const own = codec === this.options.codec;
    // A catalog with no entry for bad input still answers it as bad input (the server's built-in
    // invalid-message error, with the exception's text): Nest code throws these for the client.
    const invalid = (init: WsErrorInit) =>
      own && this.options.errors?.invalidArgument
        ? new this.options.errors.invalidArgument(init)
        : (errorOfKind(codec, ["invalid-argument", "invalid-message"], "frame", init) ?? withInit(server.errors.error("malformed"), init));
    if (exception instanceof WsException) {
      const error = exception.getError();
      const message =
        typeof error === "string" ? error : typeof (error as { message?: unknown }).message === "string" ? (error as { message: string }).message : undefined;
      const made = invalid(message === undefined ? {} : { message });
      if (made) return made;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse() as { message?: unknown } | string;
      const messages =
        typeof body === "string"
          ? [body]
          : Array.isArray(body.message)
            ? body.message.filter((m): m is string => typeof m === "string")
            : typeof body.message === "string"
              ? [body.message]
              : [];
      const kind = STATUS_KINDS[status];
      if (kind === "invalid-argument") {
        // ValidationPipe reports "symbols must be an array": the field is the first word.
        const errors = messages.map((m) => invalid({ message: m, field: m.split(" ")[0] ?? "" })).filter((e): e is WsError => e !== undefined);
        if (errors.length > 0) return errors.length === 1 ? (errors[0] as WsError) : errors;
      } else if (kind) {
        const made = errorOfKind(codec, kind, "frame", messages[0] === undefined ? {} : { message: messages[0] });
        if (made) return made;
      }
    }
    return server.errors.fromThrown(exception, command === undefined ? "a gateway handler" : `the ${command} gateway handler`);
  }
}

function withInit(error: WsError, init: WsErrorInit): WsError {
  const writable = error as { message: string; field: string | undefined };
  if (init.message !== undefined) writable.message = init.message;
  if (init.field !== undefined) writable.field = init.field;
  return error;
}
