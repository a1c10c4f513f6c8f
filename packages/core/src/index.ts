export { KINDS, KIND_NAMES, isKindName, type KindName } from "./kinds";
export * from "./errors";
export {
  createCodec,
  runtimeClass,
  type Codec,
  type CodecOptions,
  type CloseInfo,
  type EncodeFrameOptions,
  type EncodeUpgradeOptions,
  type FrameClassifier,
  type FrameFields,
  type FrameReader,
  type FrameWriteContext,
  type FrameWriter,
  type UpgradeResponse,
} from "./codec";
export { backoffDelayMs, fallbackFor, isCleanClose, retryDelayMs, defaultDirective, type BackoffOptions, type FallbackPolicy } from "./policy";
export { getPath, parsePath, setPath, type Path } from "./path";
export { MAX_CLOSE_REASON_BYTES, sanitizeHeaderValue, truncateCloseReason, utf8ByteLength } from "./text";
export type * from "./spec";
export { decide, type Decision, type DecideContext, type ReconnectOptions } from "./decide";
export { serverDefaults, SERVER_ROLE_KINDS, type ServerRole } from "./server-defaults";
export { ClientSession, RequestError, HANDLED, isHandled, type SocketLike, type UpgradeResponseLike, type SessionState, type SessionListener, type SessionOptions } from "./session";
