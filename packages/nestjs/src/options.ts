import type { Codec, WsError, WsErrorClass } from "@ws-errors/core";
import type { Logger, ServerPolicy, SharedState, WsErrorServerOptions } from "@ws-errors/node";

/** The DI token of the module's options. */
export const WS_ERRORS_OPTIONS = Symbol.for("ws-errors.nestjs.options");

export interface WsErrorsModuleOptions {
  /** The catalog codec errors are encoded with. */
  readonly codec: Codec<WsError>;
  /** Upgrade, connection and message policies (API keys, caps, rates, heartbeats...), from @ws-errors/node. */
  readonly policies?: readonly ServerPolicy[];
  /** Runs before the upgrade: establish the principal, or throw a catalog error to reject the upgrade. */
  readonly authenticate?: WsErrorServerOptions["authenticate"];
  readonly browserFallback?: WsErrorServerOptions["browserFallback"];
  /** The entries for a malformed message, an unknown command and an unexpected exception. */
  readonly errors?: {
    readonly malformed?: WsErrorClass;
    readonly unknownCommand?: WsErrorClass;
    readonly internal?: WsErrorClass;
    readonly invalidArgument?: WsErrorClass;
  };
  readonly logger?: Logger;
  /**
   * Where caps, attempt windows, revocations and history live: `redisState(...)` from
   * `@ws-errors/redis` shares them across instances; default this process's memory. Every gateway
   * of the module shares the one state.
   */
  readonly state?: SharedState;
  /**
   * Whether each gateway's `ws` server keeps its `clients` set (what `@WebSocketServer()` gateways
   * broadcast with): on by default here, as with `@nestjs/platform-ws`; `false` saves about 180
   * bytes per connection.
   */
  readonly clientTracking?: boolean;
}
