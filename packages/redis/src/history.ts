import type { HistoryEntry, Replay } from "@ws-errors/node";
import type { ChainableCommander, Cluster } from "ioredis";
import type { Bounded, RedisLike } from "./connection";
import type { Channels } from "./channels";

/** The commands the history needs on the state's own connection (the append script is defined there). */
export type HistoryClient = RedisLike & {
  wsErrorsAppend(stream: string, counter: string, channel: string, payload: string, retention: number, publish: number, floor: number): Promise<number>;
};

export interface HistoryOptions {
  readonly client: HistoryClient;
  /** Where appends that wait for replicas go: a connection of their own, since WAIT holds the connection it runs on. */
  readonly writer: HistoryClient;
  /** {@link boundedCalls} on the writer. */
  readonly boundedWrite: Bounded;
  readonly channels: Channels;
  readonly bounded: Bounded;
  readonly prefix: string;
  readonly retention: number;
  readonly replicas: number;
  readonly timeoutMs: number;
}

interface Tail {
  /** The last seq delivered; undefined until the stream's end is known. */
  last: number | undefined;
  readonly listeners: Set<(entry: HistoryEntry) => void>;
  /** Messages heard while the end was unknown or a gap was being read. */
  readonly waiting: HistoryEntry[];
  reading: boolean;
  /** Leaves the live channel. */
  off: () => void;
}

const toEntry = ([id, fields]: [string, string[]]): HistoryEntry => ({ seq: Number.parseInt(id, 10), payload: fields[1] ?? "" });

/**
 * Stream history on Redis Streams, one sequence per stream. A stream's entries, its counter and
 * its live channel share one hash tag, so the append script touches one cluster slot. Live entries
 * are published by whoever appends and heard on the shared subscriber; a gap in what is heard (a
 * message missed while the subscriber reconnected) is read back with XRANGE, and {@link check}
 * reads every quiet tail's end once per interval, so a missed last message is delivered too.
 */
export function redisHistory(options: HistoryOptions) {
  const { client, writer, boundedWrite, channels, bounded, prefix, retention, replicas, timeoutMs } = options;
  // While the primary has fewer replicas than asked (a failover promoted the last one), waiting on
  // every append would hold each one for the whole bound: appends then go without waiting, and
  // the replicas are asked for again after a while.
  const RETRY_REPLICAS_MS = 5_000;
  let withoutReplicasUntil = 0;
  const keyOf = (stream: string) => `${prefix}stream:{${stream}}`;
  const tails = new Map<string, Tail>();
  // The highest id this instance has seen per stream (appended, heard or replayed): the floor of
  // the next append, so an id a client may hold is never given to another entry.
  const seen = new Map<string, number>();
  const see = (stream: string, seq: number) => {
    if (seq > (seen.get(stream) ?? 0)) seen.set(stream, seq);
  };
  let closed = false;

  const emit = (stream: string, tail: Tail, entry: HistoryEntry) => {
    tail.last = entry.seq;
    see(stream, entry.seq);
    for (const listener of tail.listeners) listener(entry);
  };
  // Reads everything after the last delivered entry, then what was heard meanwhile, in order.
  const readGap = (stream: string, tail: Tail): Promise<void> => {
    if (tail.reading || tail.last === undefined) return Promise.resolve();
    tail.reading = true;
    return bounded("tail", () => client.xrange(keyOf(stream), `${(tail.last as number) + 1}-0`, "+", "COUNT", 1000))
      .then((range) => {
        for (const entry of range.map(toEntry)) if (entry.seq > (tail.last as number)) emit(stream, tail, entry);
      })
      .catch(() => undefined)
      .finally(() => {
        tail.reading = false;
        if (tails.get(stream) === tail) drain(stream, tail);
      });
  };
  const drain = (stream: string, tail: Tail) => {
    while (tail.waiting.length > 0 && tail.last !== undefined && !tail.reading) {
      const entry = tail.waiting.shift() as HistoryEntry;
      if (entry.seq <= tail.last) continue;
      if (entry.seq === tail.last + 1) emit(stream, tail, entry);
      else {
        tail.waiting.unshift(entry);
        void readGap(stream, tail);
      }
    }
  };

  return {
    async append(stream: string, payload: string): Promise<number> {
      const key = keyOf(stream);
      const channel = `${key}:live`;
      const floor = seen.get(stream) ?? 0;
      let seq: number;
      if (replicas === 0 || Date.now() < withoutReplicasUntil)
        seq = Number(await bounded("append", () => client.wsErrorsAppend(key, `${key}:seq`, channel, payload, retention, 1, floor)));
      else {
        // Acknowledged, and shown live, only once `replicas` replicas hold it: a failover then
        // promotes a replica that has every entry a client has seen. WAIT goes in the same
        // pipeline so that on a cluster it reaches the stream's own primary.
        const send = () =>
          (writer.pipeline() as ChainableCommander & { wsErrorsAppend(...args: (string | number)[]): ChainableCommander })
            .wsErrorsAppend(key, `${key}:seq`, channel, payload, retention, 0, floor)
            .wait(replicas, Math.floor(timeoutMs / 2))
            .exec();
        const results = await boundedWrite("append", async () => {
          const first = await send();
          // A cluster client retries a pipeline moved to another node only when every reply is
          // that redirection, and WAIT (keyless) answers wherever it lands: after a failover the
          // script alone is MOVED. The slots are read again and the append sent once more.
          const redirected = first?.[0]?.[0] instanceof Error && /^(MOVED|ASK|CLUSTERDOWN) /.test(first[0][0].message);
          if (!redirected || !writer.isCluster) return first;
          await new Promise<void>((resolve) => (writer as Cluster).refreshSlotsCache(() => resolve()));
          return send();
        });
        const [appended, acknowledged] = results ?? [];
        if (!appended || appended[0]) throw appended?.[0] ?? new Error("Redis returned nothing for append");
        seq = Number(appended[1]);
        if (Number(acknowledged?.[1] ?? 0) < replicas) withoutReplicasUntil = Date.now() + RETRY_REPLICAS_MS;
        await bounded("append", () => client.publish(channel, `${seq} ${payload}`));
      }
      see(stream, seq);
      return seq;
    },

    /**
     * The entries after `after`, up to the first hole: a hole at the start (entries trimmed by
     * retention, or lost with a primary that failed over before replicating them) is reported as
     * `lost`; a hole further on ends this page (`more`), and the next call reports it.
     */
    async replay(stream: string, after: number, max: number): Promise<Replay> {
      const key = keyOf(stream);
      // The entries and the counter read together (one transaction, one round trip): read apart,
      // an append between the two made an up-to-date client look as if it had lost an entry.
      const [range, counter] = await bounded("replay", async () => {
        const results = await client
          .multi()
          .xrange(key, `${after + 1}-0`, "+", "COUNT", max + 1)
          .get(`${key}:seq`)
          .exec();
        const failed = results?.find(([error]) => error);
        if (!results || failed) throw failed?.[0] ?? new Error("Redis aborted the replay");
        return [results[0]?.[1] as [string, string[]][], Number(results[1]?.[1] ?? 0)] as const;
      });
      const found = range.map(toEntry);
      // Nothing after the position: lost if the counter went past it, else simply up to date.
      if (found.length === 0) return { entries: [], more: false, ...(counter > after && { lost: { from: after + 1, to: counter } }) };
      const first = (found[0] as HistoryEntry).seq;
      let end = 1;
      while (end < Math.min(found.length, max) && (found[end] as HistoryEntry).seq === (found[end - 1] as HistoryEntry).seq + 1) end++;
      const entries = found.slice(0, Math.min(end, max));
      see(stream, (entries.at(-1) as HistoryEntry).seq);
      return { entries, more: found.length > entries.length, ...(first > after + 1 && { lost: { from: after + 1, to: first - 1 } }) };
    },

    tail(stream: string, listener: (entry: HistoryEntry) => void): () => void {
      let tail = tails.get(stream);
      if (tail) tail.listeners.add(listener);
      else {
        const created: Tail = { last: undefined, listeners: new Set([listener]), waiting: [], reading: false, off: () => undefined };
        tails.set(stream, (tail = created));
        const heard = channels.listen(`${keyOf(stream)}:live`, (message) => {
          const space = message.indexOf(" ");
          created.waiting.push({ seq: Number.parseInt(message.slice(0, space), 10), payload: message.slice(space + 1) });
          drain(stream, created);
        });
        created.off = heard.off;
        // "Now" is where the stream ends when tail() is called, read at once; entries appended
        // before the subscription holds are read back once it does. Until Redis answers, the tail
        // waits (starting from the beginning would replay everything).
        const findEnd = () => {
          if (closed || tails.get(stream) !== created) return;
          bounded("tail", () => client.xrevrange(keyOf(stream), "+", "-", "COUNT", 1)).then(
            (latest) => {
              created.last = latest[0] ? Number.parseInt(latest[0][0], 10) : 0;
              drain(stream, created);
              heard.subscribed.then(() => readGap(stream, created)).catch(() => undefined);
            },
            () => setTimeout(findEnd, 250).unref(),
          );
        };
        findEnd();
      }
      const own = tail;
      return () => {
        own.listeners.delete(listener);
        if (own.listeners.size === 0 && tails.get(stream) === own) {
          tails.delete(stream);
          own.off();
        }
      };
    },

    /** Reads each tail's entries past the last delivered one: the net under a missed live message. */
    check(): void {
      for (const [stream, tail] of tails) void readGap(stream, tail);
    },

    close(): void {
      closed = true;
      for (const tail of tails.values()) tail.off();
      tails.clear();
    },
  };
}
