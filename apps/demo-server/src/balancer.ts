import { connect, createServer, type Server, type Socket } from "node:net";

/** A round-robin TCP load balancer on loopback: what sits in front of several instances in production. */
export interface Balancer {
  readonly port: number;
  /** Which backend (index) each accepted connection went to, in order. */
  readonly routed: number[];
  close(): Promise<void>;
}

/**
 * Starts a round-robin TCP balancer on a free loopback port in front of `backends` (ports),
 * skipping backends that refuse connections.
 *
 * @example
 * ```ts
 * const balancer = await startBalancer([8081, 8082, 8083]);
 * connect(`ws://127.0.0.1:${balancer.port}/collective2/ws`, { codec: collective2, ... });
 * ```
 */
export async function startBalancer(backends: readonly number[]): Promise<Balancer> {
  let next = 0;
  const routed: number[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    client.pause();
    // A dead backend refuses the connection: try the next, as a health-checking balancer would.
    const attempt = (tries: number) => {
      const index = next++ % backends.length;
      const upstream = connect(backends[index] as number, "127.0.0.1");
      upstream.once("connect", () => {
        routed.push(index);
        sockets.add(upstream);
        upstream.on("close", () => (sockets.delete(upstream), client.destroy()));
        client.on("close", () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
      upstream.once("error", () => {
        upstream.destroy();
        if (tries + 1 < backends.length) attempt(tries + 1);
        else client.destroy();
      });
    };
    attempt(0);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    port: (server.address() as { port: number }).port,
    routed,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
