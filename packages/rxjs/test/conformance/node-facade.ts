import type { WsError } from "@ws-errors/core";
import { connect } from "@ws-errors/node";
import type { Facade, Handle } from "./scenarios";

/** The Node client as the suite drives it. */
export const nodeFacade: Facade = (url, options) => {
  const errors: WsError[] = [];
  const decisions: string[] = [];
  const messages: unknown[] = [];
  let opens = 0;
  const client = connect(url, {
    codec: options.codec,
    ...(options.reconnect !== undefined && { reconnect: options.reconnect }),
    ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.resume && { resume: (seq: number | string | undefined, c: { send(data: unknown): void }) => options.resume?.(seq, (d) => c.send(d)) }),
    ...(options.refreshUrl && { refreshCredentials: async () => ({ url: (options.refreshUrl as () => string)() }) }),
  });
  client.on("catalog-error", (e) => errors.push(e));
  client.on("decision", (d) => decisions.push(d.action));
  client.on("open", () => opens++);
  client.on("message", (m) => messages.push(m));
  const ended = new Promise<WsError | undefined>((resolve) => client.once("stopped", resolve));
  const handle: Handle = {
    errors,
    decisions,
    messages,
    opens: () => opens,
    request: (message) => client.request(message),
    send: (data) => client.send(data),
    ended,
    cause: () => client.cause,
    close: () => client.close(),
  };
  return handle;
};
