import type { SharedState } from "@ws-errors/server";
import { collective2Endpoint } from "./collective2";
import type { Endpoint, Serve } from "./endpoint";
import { escaEndpoint } from "./esca";
import { infowayEndpoint } from "./infoway";
import type { Timing } from "./keys";
import { tickdbEndpoint } from "./tickdb";

/*
 * The demo APIs and their HTTP routes, for every runtime: what `startDemoServers` serves on Node
 * and the Bun and Deno demos serve on theirs, from the same endpoints.
 */

/** The four seed APIs, each on the server `serve` makes: one state for all (keys are prefixed per catalog). */
export function demoEndpoints(timing: Timing, state: SharedState, serve: Serve): Endpoint[] {
  return [
    infowayEndpoint(timing, state, serve),
    tickdbEndpoint(timing, state, serve),
    collective2Endpoint(timing, state, serve),
    escaEndpoint(timing, state, serve),
  ];
}

/**
 * The demo's plain HTTP requests on a Fetch runtime: `POST /revoke?key=KEY[&ttl_ms=N]` (the
 * stand-in for a provider's admin API), 426 on an endpoint's path, 404 elsewhere.
 */
export async function demoHttp(request: Request, endpoints: readonly Endpoint[], state: SharedState): Promise<Response> {
  const url = new URL(request.url);
  const key = url.searchParams.get("key");
  if (request.method === "POST" && url.pathname === "/revoke" && key) {
    try {
      await state.revoke(key, Number(url.searchParams.get("ttl_ms") ?? 60_000));
      return new Response(null, { status: 204 });
    } catch {
      return new Response(null, { status: 503 });
    }
  }
  const known = endpoints.some((e) => e.path === url.pathname);
  return new Response(`ws-errors demo: WebSocket endpoints at ${endpoints.map((e) => e.path).join(", ")}\n`, {
    status: known ? 426 : 404,
    headers: { "content-type": "text/plain" },
  });
}
