import { retryDelayMs, type Codec, type WsError } from "@ws-errors/core";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { escaRates } from "@ws-errors/core/catalogs/esca-rates";
import { infoway } from "@ws-errors/core/catalogs/infoway";
import { tickdb } from "@ws-errors/core/catalogs/tickdb";
import { tickdbLegacy } from "@ws-errors/core/catalogs/tickdb-legacy";

type Input = { frame: string } | { close: { code: number; reason: string } } | { upgrade: { status: number; headers: Record<string, string>; body: string } };

/* What each seed API's error page shows on the wire, one example per layer where the page gives one. */
const WALK: [string, Codec<WsError>, string, Input][] = [
  ["Infoway", infoway, "request rate exceeded (frame)", { frame: '{"code":501,"msg":"Request rate exceeded","trace":"t-42"}' }],
  ["Infoway", infoway, "connection quota refused (upgrade)", { upgrade: { status: 429, headers: {}, body: '{"code":427,"msg":"Connection quota exceeded"}' } }],
  ["Infoway", infoway, "heartbeat timeout (close)", { close: { code: 4513, reason: "Heartbeat timeout" } }],
  ["TickDB (legacy Errors page)", tickdbLegacy, "message-level error", { frame: '{"cmd":"subscribe","code":2001,"message":"symbols parameter is required"}' }],
  [
    "TickDB (legacy Errors page)",
    tickdbLegacy,
    "rate limit with reset_at (upgrade)",
    {
      upgrade: {
        status: 429,
        headers: {},
        body: JSON.stringify({
          success: false,
          error: "Rate limit exceeded",
          code: 429,
          limit: 60,
          used: 60,
          reset_at: Math.floor(Date.now() / 1000) + 30,
          plan: "free",
          upgrade_to: "standard",
        }),
      },
    },
  ],
  [
    "TickDB (quick reference)",
    tickdb,
    "the same 2001 frame, current meaning",
    { frame: '{"cmd":"subscribe","code":2001,"message":"symbols parameter is required"}' },
  ],
  [
    "TickDB (quick reference)",
    tickdb,
    "depth unavailable, moved to 4003",
    { frame: '{"cmd":"subscribe","code":4003,"message":"Depth subscription unavailable"}' },
  ],
  ["TickDB (quick reference)", tickdb, "success reply sharing the error shape", { frame: '{"cmd":"subscribe","code":0,"message":"success","data":{}}' }],
  [
    "Collective2",
    collective2,
    "invalid API key (upgrade)",
    { upgrade: { status: 401, headers: { "X-WS-Error": "Invalid API key" }, body: '{"code":"UNAUTHORIZED","message":"Invalid API key"}' } },
  ],
  [
    "Collective2",
    collective2,
    "not authorized for a strategy (frame)",
    {
      frame:
        '{"msg_type":"error","id":"msg_a1b2c3d4e5f6a1b2c3d4e5f6a7b8","timestamp":"2024-01-01T12:00:00Z","v":4,"payload":{"code":"FORBIDDEN","field":"StrategyId","message":"Not authorized to subscribe to Strategy"}}',
    },
  ],
  [
    "Collective2",
    collective2,
    "two validation errors in one frame",
    {
      frame:
        '{"msg_type":"error","id":"msg_a1b2c3d4e5f6a1b2c3d4e5f6a7b8","timestamp":"2024-01-01T12:00:00Z","v":4,"payload":{"errors":[{"code":"MANDATORY_PARAM_EMPTY_OR_MALFORMED","field":"payload.channel","message":"Missing parameter"},{"code":"INVALID_PARAMETER","field":"payload.strategy_id","message":"Invalid parameter"}]}}',
    },
  ],
  ["Collective2", collective2, "connection race lost (close)", { close: { code: 1008, reason: "" } }],
  ["Collective2", collective2, "slow client evicted (close 1000!)", { close: { code: 1000, reason: "Ping timeout" } }],
  [
    "Collective2",
    collective2,
    "rate limit at connect, Retry-After 5 (upgrade)",
    {
      upgrade: {
        status: 429,
        headers: { "X-WS-Error": "Rate limit exceeded", "Retry-After": "5" },
        body: '{"code":"TOO_MANY_REQUESTS","message":"Rate limit exceeded"}',
      },
    },
  ],
  ["Esca FX rates", escaRates, "connection-scope fault (frame)", { frame: '{ "type": "error", "code": "internal_error", "message": "..." }' }],
  [
    "Esca FX rates",
    escaRates,
    "command-scope ack (frame)",
    { frame: '{"method":"subscribe","success":false,"error":{"code":"unknown_symbol","message":"Unsupported symbol XAU/USD"},"req_id":1}' },
  ],
  ["Esca FX rates", escaRates, "key revoked mid-connection (close)", { close: { code: 4001, reason: "auth_failed" } }],
];

function advice(error: WsError): string {
  const delay = retryDelayMs(error);
  const wait = delay === undefined ? "" : ` after ${Math.round(delay)} ms`;
  switch (error.retry.directive) {
    case "stop":
      return "stop: do not retry";
    case "retry-later":
      return `retry the message${wait || " after a delay"}; keep the connection`;
    case "reconnect":
      return `reconnect with backoff${wait}`;
    case "resume":
      return "reconnect and resume from the last sequence id";
    case "refresh-credentials":
      return "refresh credentials, then reconnect";
    case "free-connection":
      return "close another connection first, then reconnect";
    case "reauthenticate":
      return "authenticate again on the same connection";
    case "resubscribe":
      return "subscribe again; keep the connection";
  }
}

let api = "";
for (const [name, codec, what, input] of WALK) {
  if (name !== api) {
    console.log(`\n${name}`);
    api = name;
  }
  const errors =
    "frame" in input
      ? codec.decodeFrameErrors(input.frame)
      : "close" in input
        ? [codec.decodeClose(input.close)].filter((e) => e !== null)
        : [codec.decodeUpgrade(input.upgrade)].filter((e) => e !== null);
  if (errors.length === 0) {
    console.log(`  ${what}: not an error`);
    continue;
  }
  for (const error of errors) {
    const where = error.requestId !== undefined ? ` (answers request ${error.requestId})` : error.field ? ` (field ${error.field})` : "";
    console.log(`  ${what}: ${error.name} [${error.kind}] code ${JSON.stringify(error.code)}${where} → ${advice(error)}`);
  }
}
console.log("\nEvery line above came from a generated catalog module; see packages/core/docs/ for each API's reference page.");
