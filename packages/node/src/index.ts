export { WsErrorServer, type WsErrorServerOptions, type Policy, type UpgradeContext, type IncomingCommand, type CommandHandler } from "./server";
export { ServerConnection, type Principal } from "./connection";
export { connect, WsErrorClient, RequestError, type ConnectOptions, type Decision, type ClientState } from "./client";
export { createFakeServer, type FakeServer } from "./fake-server";
export { apiKey, readKey, type ApiKeyOptions, type KeySource } from "./policies/api-key";
export { connectionCap, attemptRate, messageRate, type ConnectionCapOptions, type AttemptRateOptions, type MessageRateOptions } from "./policies/limits";
export { heartbeat, slowConsumer, recheck, type HeartbeatOptions, type SlowConsumerOptions, type RecheckOptions } from "./policies/liveness";
export { classOfKind, errorOfKind, requestFields, withRetryAfter } from "./catalog";
export { redact, consoleLogger, type Logger } from "./redact";
