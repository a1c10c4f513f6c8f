import { duplicateOf, type RedisLike } from "./connection";

/**
 * One subscriber connection shared by everything the state listens to (revocations, live history),
 * subscribing to a channel while someone listens and leaving it after. On a Redis Cluster the
 * messages of ordinary channels are broadcast to every node, so one connection to any node hears
 * them all, and ioredis moves it to another node when its node fails.
 */
export function channels(source: RedisLike) {
  let connection: RedisLike | undefined;
  const handlers = new Map<string, Set<(message: string) => void>>();
  const open = (): RedisLike => {
    if (connection) return connection;
    const created = duplicateOf(source);
    created.on("error", () => undefined);
    created.on("message", (channel: string, message: string) => {
      for (const handler of handlers.get(channel) ?? []) handler(message);
    });
    connection = created;
    return created;
  };
  return {
    /** Listens on `channel`; `subscribed` settles once Redis confirmed it (rejects while Redis is away). */
    listen(channel: string, handler: (message: string) => void): { subscribed: Promise<unknown>; off(): void } {
      let set = handlers.get(channel);
      const first = !set;
      if (!set) handlers.set(channel, (set = new Set()));
      set.add(handler);
      const subscribed = first ? open().subscribe(channel) : Promise.resolve();
      subscribed.catch(() => undefined);
      return {
        subscribed,
        off() {
          const current = handlers.get(channel);
          if (!current?.delete(handler) || current.size > 0) return;
          handlers.delete(channel);
          connection?.unsubscribe(channel).catch(() => undefined);
        },
      };
    },
    close(): void {
      handlers.clear();
      connection?.disconnect();
    },
  };
}

/** What {@link channels} returns. */
export type Channels = ReturnType<typeof channels>;
