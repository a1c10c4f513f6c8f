import { entryOfKinds, missingLayer, POLICY_CHOICES, type BuiltInPolicy, type Codec, type EntrySpec, type WsError } from "@ws-errors/core";
import {
  apiKey,
  attemptRate,
  connect,
  connectionCap,
  heartbeat,
  messageRate,
  recheck,
  revocation,
  slowConsumer,
  type ServerPolicy,
  type WsErrorServerOptions,
} from "@ws-errors/node";
import { FACADES, sawOnly, serve, until, within, type Running, type Seen } from "./conformance";

/*
 * The built-in policies' own errors over any catalog: each refusal, answer or close a policy makes
 * reaches both facades as the entry it picks (with and without a browser's Origin), or the server
 * refuses to start naming the policy, or (for a frame the catalog lacks) warns naming the entry
 * and sends nothing else in its place.
 */

type Options = Omit<WsErrorServerOptions, "server" | "logger" | "codec">;

/** What one policy's scenario does once its server runs; each returns the first broken promise. */
type Drive = (running: Running, warnings: readonly string[]) => Promise<string | undefined>;

/** How often each policy's scenario ran (not refused at construction): the suite checks the space reached them. */
export const reached: Record<string, number> = {};

const KEY = "good-key";
const keyed = { "x-key": KEY };
const asKey = { authenticate: () => ({ key: KEY }) } satisfies Options;
/* What a browser's upgrade carries: the server answers it with the entry's browser fallback or close. */
const BROWSER = { origin: "https://app.example" };

/** The entry a policy picks for its `index`th situation, as the server does when not given one. */
function pick(codec: Codec<WsError>, policy: BuiltInPolicy, index = 0): EntrySpec | undefined {
  const choice = POLICY_CHOICES[policy][index] as { kinds: readonly string[]; layer: "upgrade" | "frame" | "close" };
  return entryOfKinds(codec.catalog, choice.kinds as Parameters<typeof entryOfKinds>[1], choice.layer);
}

/**
 * What a facade may see of a policy's entry said on `layer`: the entry and nothing else where it
 * can be said there; where it cannot (no frame for `messageRate`, no close for a close that would
 * be a bare 1008 nobody owns, after no frame), a warning names the entry and nothing but the entry,
 * or an uncatalogued bare close, reaches the client.
 */
function judge(seen: Seen, entry: EntrySpec, layer: "frame" | "close", path: string, warnings: readonly string[]): string | undefined {
  // A close with no close layer after the entry's frame is read as that frame's error.
  if (missingLayer(entry, layer) === undefined || (layer === "close" && entry.frame)) return sawOnly(seen, entry, path);
  if (!warnings.some((w) => w.includes(`"${entry.id}"`))) return `${path}: ${entry.id} cannot be said on its ${layer} and no warning names it`;
  const other = seen.errors.find((e) => e.id !== entry.id && e.id !== "uncatalogued");
  return other ? `${path}: ${entry.id} cannot be said on its ${layer}, and the client read ${other.id} in its place` : undefined;
}

/** Each facade connects, `act`s, and must end within three seconds having seen what `judge` allows. */
async function expectEnd(
  url: string,
  codec: Codec<WsError>,
  entry: EntrySpec,
  layer: "upgrade" | "frame" | "close",
  path: string,
  warnings: readonly string[],
  options: { headers?: Record<string, string> | ((facade: string) => Record<string, string>); act?: (seen: Seen, facade: string) => Promise<void> } = {},
): Promise<string | undefined> {
  for (const [name, facade] of Object.entries(FACADES)) {
    const seen = facade(url, codec, typeof options.headers === "function" ? options.headers(name) : options.headers);
    try {
      await options.act?.(seen, name);
      await within(seen.ended, 3_000, `${name}: ${path}`);
      const broken = layer === "upgrade" ? sawOnly(seen, entry, `${name} facade, ${path}`) : judge(seen, entry, layer, `${name} facade, ${path}`, warnings);
      if (broken) return broken;
    } finally {
      seen.close();
    }
  }
  return undefined;
}

const FLOOD = JSON.stringify({ Flood: "x".repeat(100_000) });

/** Each policy with the server options it needs and what to do to make it speak. */
function scenarios(codec: Codec<WsError>): [ServerPolicy, Drive, Options?][] {
  const need = (policy: BuiltInPolicy, index = 0) => pick(codec, policy, index) as EntrySpec;
  return [
    [
      apiKey({ from: { header: "x-key" }, verify: (key) => key === KEY }),
      async ({ url }, w) =>
        (await expectEnd(url, codec, need("api-key"), "upgrade", "api-key, no key", w)) ??
        (await expectEnd(url, codec, need("api-key"), "upgrade", "api-key, a wrong key", w, { headers: { "x-key": "bad" } })) ??
        (await expectEnd(url, codec, need("api-key"), "upgrade", "api-key, no key, from a browser", w, { headers: BROWSER })),
    ],
    [
      attemptRate({ limit: 1, windowMs: 60_000 }),
      async ({ url }, w) => {
        const first = connect(url, { codec, reconnect: false });
        await within(new Promise((resolve) => first.once("open", resolve)), 3_000, "the first attempt");
        first.close();
        return (
          (await expectEnd(url, codec, need("attempt-rate"), "upgrade", "attempt-rate, the second attempt", w)) ??
          (await expectEnd(url, codec, need("attempt-rate"), "upgrade", "attempt-rate, the third attempt, from a browser", w, { headers: BROWSER }))
        );
      },
    ],
    [
      connectionCap({ perKey: 1 }),
      async ({ url }, w) => {
        const first = connect(url, { codec, reconnect: false, ws: { headers: keyed } });
        await within(new Promise((resolve) => first.once("open", resolve)), 3_000, "the first connection");
        try {
          return (
            (await expectEnd(url, codec, need("connection-cap"), "upgrade", "connection-cap, a second connection", w, { headers: keyed })) ??
            (await expectEnd(url, codec, need("connection-cap"), "upgrade", "connection-cap, a second connection, from a browser", w, {
              headers: { ...keyed, ...BROWSER },
            }))
          );
        } finally {
          first.close();
        }
      },
      asKey,
    ],
    [
      // One message per 200 ms, closed at the second violation: four at once are answered, paused,
      // answered, then closed.
      messageRate({ limit: 1, windowMs: 200, closeAfter: 1, violationWindowMs: 60_000 }),
      async ({ url }, w) => {
        const command = codec.catalog.dialect.requests?.command as string;
        const act = async (seen: Seen) => {
          for (let i = 0; i < 4; i++) seen.request({ [command]: "ok", n: i }).catch(() => undefined);
        };
        return expectEnd(url, codec, need("message-rate"), "frame", "message-rate, four messages at once", w, { act });
      },
      // The answer carries the command: how a client without request ids knows what it answers.
      { commands: { ok: () => ({ [codec.catalog.dialect.requests?.command as string]: "ok" }) } },
    ],
    [
      // Never sends a heartbeat, so a client that sends nothing stops answering at once.
      heartbeat({ intervalMs: 50, timeoutMs: 100, send: () => undefined }),
      async ({ url }, w) => expectEnd(url, codec, need("heartbeat"), "close", "heartbeat, a silent client", w),
    ],
    [
      slowConsumer({ maxStallMs: 5_000, checkEveryMs: 1_000, maxQueuedBytes: 64 * 1024 }),
      // Frames sent in one turn are corked together, so the queue passes the limit at the second.
      async ({ url }, w) => expectEnd(url, codec, need("slow-consumer"), "close", "slow-consumer, a queue past its limit", w),
      { onConnection: (connection) => void Array.from({ length: 8 }, () => connection.send(FLOOD)) },
    ],
    [
      recheck({ everyMs: 50, verify: () => false }),
      async ({ url }, w) => expectEnd(url, codec, need("recheck"), "close", "recheck, a key no longer valid", w),
      asKey,
    ],
    [
      revocation(),
      async ({ url, server }, w) => {
        // A key per facade: a revocation outlives the connection it closed.
        const headers = (facade: string) => ({ "x-key": `key-${facade}` });
        const act = async (_seen: Seen, facade: string) => {
          await until(() => [...server.connections].some((c) => c.principal?.key === `key-${facade}`), "the connection to revoke");
          await server.revoke(`key-${facade}`, 60_000);
        };
        const closed = await expectEnd(url, codec, need("revocation", 0), "close", "revocation, a connected key revoked", w, { headers, act });
        return (
          closed ??
          (await expectEnd(url, codec, need("revocation", 1), "upgrade", "revocation, a revoked key's upgrade", w, { headers })) ??
          (await expectEnd(url, codec, need("revocation", 1), "upgrade", "revocation, a revoked key's upgrade, from a browser", w, {
            headers: (f) => ({ ...headers(f), ...BROWSER }),
          }))
        );
      },
      { authenticate: ({ request }) => ({ key: String(request.headers["x-key"]) }) },
    ],
  ];
}

/*
 * One server per policy, so one policy's refusals never stand in another's way. A server refused
 * at construction must name the policy.
 */
async function withPolicy(codec: Codec<WsError>, policy: ServerPolicy, options: Options, warnings: string[]): Promise<Running | string> {
  try {
    return await serve({ codec, ...options, policies: [...(options.policies ?? []), policy] }, warnings);
  } catch (error) {
    const message = (error as Error).message;
    if (!message.includes(`the ${policy.name.split(":")[0]} policy`)) return `the server refused ${policy.name} without naming it: ${message}`;
    return "refused";
  }
}

/** Every built-in policy's scenario over one catalog. */
export async function policyPaths(codec: Codec<WsError>): Promise<string | undefined> {
  for (const [policy, drive, options = {}] of scenarios(codec)) {
    const name = policy.name.split(":")[0] as string;
    const warnings: string[] = [];
    const running = await withPolicy(codec, policy, options, warnings);
    if (running === "refused") continue;
    if (typeof running === "string") return running;
    reached[name] = (reached[name] ?? 0) + 1;
    try {
      const broken = await drive(running, warnings);
      if (broken) return `${broken}\n  (server warnings: ${JSON.stringify(warnings)})`;
    } finally {
      await running.close();
    }
  }
  return undefined;
}
