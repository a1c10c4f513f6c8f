export { KINDS, KIND_DIRECTIVES, KIND_NAMES, isKindName, type KindName } from "./kinds";
export {
  WsError,
  UncataloguedError,
  UnknownWsError,
  isWsError,
  hasKind,
  CancelledError,
  UnknownKindError,
  InvalidArgumentError,
  InvalidMessageError,
  UnknownCommandError,
  OutOfRangeError,
  NotFoundError,
  AlreadyExistsError,
  PermissionDeniedError,
  UnauthenticatedError,
  FailedPreconditionError,
  RateLimitedError,
  QuotaExhaustedError,
  ConnectionLimitError,
  SubscriptionLimitError,
  ChannelUnavailableError,
  HeartbeatTimeoutError,
  SlowConsumerError,
  ClientDisconnectError,
  UpstreamTimeoutError,
  DeadlineExceededError,
  AbortedError,
  UnimplementedError,
  ServiceUnavailableError,
  InternalError,
  DataLossError,
  KIND_CLASSES,
  // A named export, not only in `internal`: generated error classes call it, and a bundle that
  // imports only a catalog's classes and guards must not keep `internal`, whose codec comes with it.
  bindEntry,
  type EntryBinding,
  type WireInfo,
  type WsErrorInit,
  type WsErrorClass,
} from "./errors";
// `withEncoder` is a named export, not in `internal`, for the same reason: a bundle of a decoder
// alone leaves it, and every encoder, out.
export {
  createCodec,
  isArrayForm,
  withEncoder,
  type Codec,
  type Decoder,
  type Encoder,
  type CodecOptions,
  type CloseInfo,
  type EncodeFrameOptions,
  type EncodeUpgradeOptions,
  type UpgradeResponse,
} from "./codec";
/** What generated catalog modules use; not for applications. */
export { internal } from "./internal";
export { clientTraces, recordCatalogError, SPAN_KIND, type SpanLike, type TracerLike } from "./tracing";
export {
  clientMetrics,
  combineTelemetry,
  errorAttributes,
  SECONDS_BUCKETS,
  type InstrumentOptions,
  type MeterLike,
  type MetricAttributes,
  type SessionTelemetry,
} from "./telemetry";
export { backoffDelayMs, fallbackFor, isCleanClose, retryDelayMs, defaultDirective, type BackoffOptions, type FallbackPolicy } from "./retry-policy";
export { compileConditions, getPath, isIndex, parsePath, setPath, type Path } from "./path";
export { HEADER_FRAMES, withGrammar, type FrameGrammar } from "./grammar";
export { withReference } from "./reference";
// `TEMPLATES` is a named export, not in `internal`: a bundle keeps the whole `internal` object, and
// only catalogs with templates should carry the template code.
export {
  parseTemplate,
  compileTemplate,
  matchTemplate,
  renderTemplate,
  usesMatching,
  usesTemplates,
  TEMPLATES,
  type Template,
  type TemplateSupport,
} from "./template";
// `MATCHING` likewise: only catalogs whose entries share codes or are told apart by text carry it.
export { MATCHING, type MatchingContext, type MatchingSupport } from "./matching";
export { MAX_CLOSE_REASON_BYTES, numericCode, sanitizeHeaderValue, truncateCloseReason, utf8ByteLength } from "./text";
export type * from "./spec";
export { decide, type Decision, type DecideContext, type ReconnectOptions } from "./decide";
export { serverDefaults, writtenFromDetails, SERVER_ROLE_KINDS, type ServerRole } from "./server-defaults";
export {
  ClientSession,
  RequestError,
  HANDLED,
  isHandled,
  type SocketLike,
  type UpgradeResponseLike,
  type SessionState,
  type SessionListener,
  type SessionOptions,
  type UrlSource,
  type ResubscribeEvent,
} from "./session";
export {
  POLICY_CHOICES,
  entryOfKinds,
  missingLayer,
  policyProblems,
  type BuiltInPolicy,
  type PolicyChoice,
  type PolicyProblem,
  type SendLayer,
} from "./policy-choices";
export { REFUSAL_HINT_HEADER } from "./refusal-hint";
