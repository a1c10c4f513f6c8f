import {
  InternalError,
  InvalidMessageError,
  isWsError,
  serverDefaults,
  UnknownCommandError,
  type Codec,
  type ServerRole,
  type WsError,
  type WsErrorClass,
} from "@ws-errors/core";
import type { Logger } from "./redact";

/** The entries a server answers with when its code does not throw a catalog error itself. */
export interface ErrorEntries {
  /** A message that is not JSON (or is binary where the API wants text). */
  readonly malformed?: WsErrorClass;
  /** A command no handler takes. */
  readonly unknownCommand?: WsErrorClass;
  /** Anything thrown that is not an error of this catalog. */
  readonly internal?: WsErrorClass;
}

type Role = ServerRole;
const ROLES: readonly Role[] = ["malformed", "unknownCommand", "internal"];

/* When a catalog has no entry for a role: errors of core's kind classes, sent as a frame in the
   catalog's envelope and never closing the connection. */
const BUILT_IN: Record<Role, { readonly kind: new (init: { message: string }) => WsError; readonly code: string; readonly message: string }> = {
  malformed: { kind: InvalidMessageError, code: "invalid_message", message: "Malformed message" },
  unknownCommand: { kind: UnknownCommandError, code: "unknown_command", message: "Unknown command" },
  internal: { kind: InternalError, code: "internal_error", message: "Internal error" },
};

/**
 * Turns what a server's code throws, and the failures it detects itself, into this catalog's
 * errors: the one mapping `WsErrorServer` and the NestJS filter share.
 *
 * - an error of this catalog (or a list of them) is sent as it is;
 * - anything else is logged (what was thrown, with keys redacted by the logger) and answered with
 *   the catalog's internal error: never the thrown object, its message, stack or cause;
 * - malformed input and unknown commands get an entry of a fitting kind that does not close the
 *   connection, never an unrelated entry that would;
 * - a catalog with no entry for a role gets a built-in one (`internal_error`, `invalid_message`,
 *   `unknown_command`), in its own envelope; {@link ErrorMapper.builtIns} lists them, and
 *   `ws-errors lint` warns about them.
 *
 * @example
 * ```ts
 * const mapper = new ErrorMapper(escaRates, { logger });
 * connection.sendError(mapper.fromThrown(thrown, "subscribe handler"));
 * ```
 */
export class ErrorMapper {
  private readonly classes: Partial<Record<Role, WsErrorClass>> = {};

  constructor(
    readonly codec: Codec<WsError>,
    private readonly options: { readonly entries?: ErrorEntries; readonly logger: Logger },
  ) {
    const defaults = serverDefaults(codec.catalog);
    for (const role of ROLES) {
      const entry = defaults[role];
      const found = options.entries?.[role] ?? (entry ? (codec.classes[entry.id] as WsErrorClass) : undefined);
      if (found) this.classes[role] = found;
    }
  }

  /** The roles this catalog has no entry for, answered with built-in errors. */
  builtIns(): Role[] {
    return ROLES.filter((role) => this.classes[role] === undefined);
  }

  /** A thrown value as this catalog's error(s); anything else is logged and becomes the internal error. */
  fromThrown(thrown: unknown, where: string): WsError | WsError[] {
    if (this.isOwn(thrown)) return thrown;
    if (Array.isArray(thrown) && thrown.length > 0 && thrown.every((e) => this.isOwn(e))) return thrown as WsError[];
    const internal = this.error("internal");
    this.options.logger.error(`${where} threw ${describeThrown(thrown)}; the client gets ${String(internal.code)}`, { error: thrown });
    return internal;
  }

  /** A new error for a role: the catalog's entry, or the built-in one. */
  error(role: Role): WsError {
    const ctor = this.classes[role];
    if (ctor) return new ctor();
    const spec = BUILT_IN[role];
    const error = new spec.kind({ message: spec.message });
    Object.defineProperties(error, {
      code: { value: spec.code },
      catalog: { value: this.codec.catalog.name },
      retry: { value: { directive: "stop" } },
      scope: { value: "both" },
    });
    return error;
  }

  private isOwn(value: unknown): value is WsError {
    return isWsError(value) && value.catalog === this.codec.catalog.name;
  }
}

/** What was thrown, in a few words for the log: `Error: message`, `a string`, `null`... */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  if (thrown === null) return "null";
  if (typeof thrown === "object") return `an object (${Object.prototype.toString.call(thrown).slice(8, -1)})`;
  return `a ${typeof thrown} (${String(thrown).slice(0, 80)})`;
}
