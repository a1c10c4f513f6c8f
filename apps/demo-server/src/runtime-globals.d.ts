/*
 * The parts of Bun's and Deno's globals the demo's runtime entries use (bun.ts, deno.ts), typed by
 * shape: this package typechecks under Node's types, and neither runtime's type package is needed
 * for two calls each.
 */
declare const Bun: {
  serve(options: {
    port: number;
    hostname: string;
    fetch(request: Request, server: import("@ws-errors/server/bun").BunServerLike): Promise<Response | undefined>;
    websocket: typeof import("@ws-errors/server/bun").bunWebSocket;
  }): { readonly port: number; stop(closeActive?: boolean): void };
};

declare const Deno: {
  serve(
    options: { port: number; hostname: string; onListen?(address: { port: number }): void },
    handler: (request: Request, info: import("@ws-errors/server/deno").DenoServeInfo) => Response | Promise<Response>,
  ): { shutdown(): Promise<void> };
  env: { get(name: string): string | undefined };
  stdin: { readable: AsyncIterable<Uint8Array> };
  exit(code?: number): never;
};
