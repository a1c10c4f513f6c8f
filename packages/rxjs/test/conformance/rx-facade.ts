import type { WsError } from "@ws-errors/core";
import { wsErrorsConnection, type WebSocketLike } from "../../src/index";
import type { Facade, Handle } from "./scenarios";

/** The RxJS connection as the suite drives it: every stream subscribed, as an app would. */
export function rxFacade(createSocket?: (url: string) => WebSocketLike): Facade {
  return (url, options) => {
    const errors: WsError[] = [];
    const decisions: string[] = [];
    const messages: unknown[] = [];
    let opens = 0;
    let cause: unknown;
    const connection = wsErrorsConnection(url, {
      codec: options.codec,
      ...(createSocket && { createSocket }),
      ...(options.reconnect !== undefined && { reconnect: options.reconnect }),
      ...(options.requestTimeoutMs !== undefined && { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.resume && { resume: (seq: number | string | undefined, c: { send(data: unknown): void }) => options.resume?.(seq, (d) => c.send(d)) }),
      ...(options.refreshUrl && { refreshCredentials: async () => ({ url: (options.refreshUrl as () => string)() }) }),
    });
    const subs = [
      connection.errors$.subscribe((e) => errors.push(e)),
      connection.decisions$.subscribe((d) => decisions.push(d.action)),
      connection.state$.subscribe((s) => {
        if (s.status === "open") opens++;
        if (s.cause !== undefined) cause = s.cause;
      }),
    ];
    const ended = new Promise<WsError | undefined>((resolve) => {
      subs.push(connection.messages$.subscribe({ next: (m) => messages.push(m), error: (e: WsError) => resolve(e), complete: () => resolve(undefined) }));
    });
    const handle: Handle = {
      errors,
      decisions,
      messages,
      opens: () => opens,
      request: (message) => new Promise((resolve, reject) => connection.request(message).subscribe({ next: resolve, error: reject })),
      send: (data) => connection.send(data),
      ended,
      cause: () => cause,
      close: () => {
        for (const s of subs) s.unsubscribe();
      },
    };
    return handle;
  };
}
