export {
  WsErrorServer,
  type WsErrorServerEvents,
  type WsErrorServerOptions,
  type ServerPolicy,
  type Policy,
  type InboundFrame,
  type UpgradeContext,
  type IncomingCommand,
  type CommandHandler,
} from "./server";
export { ServerConnection, type Principal, type UpgradeRequest } from "./server-connection";
export {
  connect,
  WsErrorClient,
  RequestError,
  type ConnectOptions,
  type ClientEvents,
  type Decision,
  type ClientState,
  type StandardWebSocket,
} from "./client";
export { createFakeServer, type FakeServer } from "./fake-server";
export { apiKey, readKey, type ApiKeyOptions, type KeySource } from "./policies/api-key";
export { connectionCap, attemptRate, messageRate, type ConnectionCapOptions, type AttemptRateOptions, type MessageRateOptions } from "./policies/limits";
export {
  heartbeat,
  slowConsumer,
  recheck,
  revocation,
  type HeartbeatOptions,
  type SlowConsumerOptions,
  type RecheckOptions,
  type RevocationOptions,
} from "./policies/liveness";
export { classOfKind, errorOfKind, replyEcho, requestFields, withRetryAfter } from "./catalog";
export { redact, consoleLogger, type Logger } from "./redact";
export { guardHandshakes, forwardedFor, socketAddress, HANDSHAKE_DEFAULTS, type HandshakeOptions } from "./handshake";
export { addressKey } from "./address";
export { RateWindow } from "./state/rate-window";
export { memoryState, type MemoryStateOptions } from "./state/memory";
export type { SharedState, HistoryEntry, Replay, OnStateError, Awaitable } from "./state/shared-state";
export { ErrorMapper, describeThrown, type ErrorEntries } from "./error-mapper";
export { serverMetrics, globalMeter, globalTracer, type ServerMeter, type ServerTelemetry } from "./telemetry";
