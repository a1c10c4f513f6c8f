import { KIND_CLASSES, type EntrySpec, type KindName, type Layer, type RetrySpec } from "@ws-errors/core";

/** The core base class of a kind, by name (generated code refers to `core.<Name>`). */
export function kindClassName(kind: KindName): string {
  return KIND_CLASSES[kind].name;
}

/** `esca-rates` → `escaRates`. */
export function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** `esca-rates` → `EscaRates`. */
export function pascal(name: string): string {
  const c = camel(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

export function layersOf(entry: EntrySpec): Layer[] {
  const layers: Layer[] = [];
  if (entry.upgrade) layers.push("upgrade");
  if (entry.frame) layers.push("frame");
  if (entry.close) layers.push("close");
  return layers;
}

/** The retry directive in words, as the reference page and JSDoc show it. */
export function directiveText(retry: RetrySpec): string {
  const delay = retry.delay;
  const exact = delay?.replacesBackoff && !("ms" in delay && delay.ms === 0) ? ", instead of backoff" : "";
  const from =
    delay === undefined
      ? ""
      : "header" in delay
        ? ` (wait for the \`${delay.header}\` header)`
        : "field" in delay
          ? ` (wait as \`${delay.field}\` says, in ${delay.unit})`
          : "window" in delay
            ? ` (wait a random ${delay.window.fromMs} to ${delay.window.toMs} ms)`
            : delay.replacesBackoff && delay.ms === 0
              ? " at once"
              : ` (wait ${delay.ms} ms)`;
  switch (retry.directive) {
    case "stop":
      return "No: do not retry";
    case "retry-later":
      return `Yes, retry the message after a delay${from}; the connection stays open`;
    case "reconnect":
      if (retry.url) return `Yes, connect to the URL in \`${retry.url.field}\`${from}, then leave this connection`;
      return delay?.replacesBackoff ? `Yes, reconnect${from}${exact}` : `Yes, reconnect with exponential backoff${from}`;
    case "resume":
      return `Yes, reconnect and resume from the last sequence id${from}`;
    case "refresh-credentials":
      return `After refreshing credentials, reconnect${from}`;
    case "free-connection":
      return `Yes, after closing another connection${from}`;
    case "reauthenticate":
      return `Authenticate again on the same connection${from}`;
    case "resubscribe":
      return `Yes, subscribe again to the channel or subscription${from}; the connection stays open`;
  }
}
