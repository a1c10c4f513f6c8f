import { execFileSync } from "node:child_process";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { WebSocket } from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressKey, attemptRate, forwardedFor, WsErrorServer } from "../src/index";

/* Addresses as the internet has them: an IPv6 host rotating through its /64 is one client, an
   IPv4 peer seen through a dual-stack socket is its IPv4 address, and RFC 7239's Forwarded header
   is read like X-Forwarded-For when the proxy writes it. */

describe("addressKey", () => {
  it("keys IPv4 as it is, IPv4-mapped IPv6 as its IPv4, and IPv6 by its /64 (or the prefix given)", () => {
    expect(addressKey("192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(addressKey("::FFFF:c000:0207")).toBe("192.0.2.7");
    expect(addressKey("2001:db8:0:1:a:b:c:d")).toBe("2001:db8:0:1:0:0:0:0/64");
    expect(addressKey("2001:db8:0:1::d")).toBe("2001:db8:0:1:0:0:0:0/64");
    expect(addressKey("2001:db8:0:1::d")).toBe(addressKey("2001:db8::1:ffff:ffff:ffff:ffff"));
    expect(addressKey("2001:db8:0:2::d")).not.toBe(addressKey("2001:db8:0:1::d"));
    expect(addressKey("::1")).toBe("0:0:0:0:0:0:0:0/64");
    expect(addressKey("fe80::1%lo")).toBe("fe80:0:0:0:0:0:0:0/64");
    expect(addressKey("2001:db8:abcd:12ff::1", 56)).toBe("2001:db8:abcd:1200:0:0:0:0/56");
    expect(addressKey("2001:db8::1", 128)).toBe("2001:db8:0:0:0:0:0:1/128");
    expect(addressKey("")).toBe("");
    expect(addressKey("not an address")).toBe("not an address");
  });
});

describe('forwardedFor({ header: "forwarded" }) (RFC 7239)', () => {
  const request = (forwarded: string | undefined) =>
    ({ headers: forwarded === undefined ? {} : { forwarded }, socket: { remoteAddress: "10.0.0.9" } }) as unknown as IncomingMessage;
  const read = forwardedFor({ header: "forwarded" });

  it("takes the for= node the nearest proxy wrote: quoted, bracketed, with ports, among other pairs", () => {
    expect(read(request("for=192.0.2.60;proto=http;by=203.0.113.43"))).toBe("192.0.2.60");
    expect(read(request('for="[2001:db8:cafe::17]:4711"'))).toBe("2001:db8:cafe::17");
    expect(read(request("for=198.51.100.17:8080"))).toBe("198.51.100.17");
    // The client wrote the first element; the proxy appended the last.
    expect(read(request("for=1.2.3.4, for=192.0.2.43"))).toBe("192.0.2.43");
    expect(forwardedFor({ header: "forwarded", hops: 2 })(request("for=198.51.100.1, for=192.0.2.43;proto=https, for=10.1.1.1"))).toBe("192.0.2.43");
  });

  it("falls back to the socket for what is not an address: obfuscated, unknown, missing, or an element without for=", () => {
    expect(read(request("for=_hidden"))).toBe("10.0.0.9");
    expect(read(request("for=unknown"))).toBe("10.0.0.9");
    expect(read(request(undefined))).toBe("10.0.0.9");
    expect(read(request("for=192.0.2.1, proto=https"))).toBe("10.0.0.9");
    expect(read(request('for="[not-an-ip]"'))).toBe("10.0.0.9");
  });
});

/* Real IPv6 sockets from many source addresses: as root, a local route for a /64 on loopback and
   non-local binds let a socket take any address of it as its own. Restored afterwards. */
const root =
  process.getuid?.() === 0 &&
  (() => {
    try {
      execFileSync("ip", ["-V"], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  })();
const PREFIX = "fd5e:7a11::";

describe.skipIf(!root)("an IPv6 host rotating through its /64 (real sockets; needs root to route the prefix on loopback)", () => {
  let nonlocal = "0";
  let closeServer: (() => Promise<void>) | undefined;
  beforeAll(() => {
    nonlocal = execFileSync("sysctl", ["-n", "net.ipv6.ip_nonlocal_bind"], { encoding: "utf8" }).trim();
    execFileSync("sysctl", ["-qw", "net.ipv6.ip_nonlocal_bind=1"]);
    execFileSync("ip", ["-6", "route", "replace", "local", `${PREFIX}/64`, "dev", "lo"]);
  });
  afterAll(async () => {
    await closeServer?.();
    execFileSync("ip", ["-6", "route", "del", "local", `${PREFIX}/64`, "dev", "lo"]);
    execFileSync("sysctl", ["-qw", `net.ipv6.ip_nonlocal_bind=${nonlocal}`]);
  });

  it("is limited as one client: the attempt limit counts its /64, while another /64 is not touched", async () => {
    const http = createServer();
    const server = new WsErrorServer({
      codec: collective2,
      server: http,
      policies: [attemptRate({ limit: 3, windowMs: 60_000 })],
      logger: { error: () => undefined, warn: () => undefined },
    });
    await new Promise<void>((resolve) => http.listen(0, "::1", resolve));
    closeServer = async () => {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    };
    const url = `ws://[::1]:${(http.address() as AddressInfo).port}/`;
    const attempt = (localAddress: string) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url, { localAddress, family: 6 });
        ws.on("open", () => (ws.close(), resolve(101)));
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("error", reject);
      });
    // Five different addresses of the same /64, one attempt each.
    const rotating = [];
    for (let i = 1; i <= 5; i++) rotating.push(await attempt(`${PREFIX}${i.toString(16)}:${(i * 7919).toString(16)}`));
    expect(rotating).toEqual([101, 101, 101, 429, 429]);
    // ::1 is another /64: its budget is its own.
    expect(await attempt("::1")).toBe(101);
  });
});
