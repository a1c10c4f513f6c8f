export {
  ServerEngine,
  type ServerEngineOptions,
  type ServerEngineEvents,
  type ServerPolicy,
  type InboundFrame,
  type UpgradeContext,
  type IncomingCommand,
  type CommandHandler,
  type Admission,
  type Refusal,
} from "./engine";
export { utf8Length } from "./utf8";
export { type Transport, type StandardServerSocket, standardTransport, unrefTimer } from "./transport";
export { ServerConnection, keptHeaders, type Principal, type UpgradeRequest, type HttpRequestLike, type IncomingHttpHeaders } from "./server-connection";
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
export { addressKey, forwardedNodes, isIP } from "./address";
export { RateWindow } from "./state/rate-window";
export { memoryState, type MemoryStateOptions } from "./state/memory";
export type { SharedState, HistoryEntry, Replay, OnStateError, Awaitable } from "./state/shared-state";
export { ErrorMapper, describeThrown, type ErrorEntries } from "./error-mapper";
export { serverMetrics, globalMeter, globalTracer, type ServerMeter, type ServerTelemetry } from "./telemetry";
export { fakeServerOptions } from "./fake";
