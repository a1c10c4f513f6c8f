import ipaddr from "ipaddr.js";

/**
 * 4, 6 or 0, as Node's `net.isIP` answers, on any runtime: strict dotted-decimal IPv4, and IPv6
 * with an optional zone.
 *
 * @example
 * ```ts
 * isIP("::ffff:192.0.2.1"); // 6
 * ```
 */
export function isIP(address: string): 0 | 4 | 6 {
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return 4;
  return address.includes(":") && ipaddr.IPv6.isValid(address) ? 6 : 0;
}

/*
 * Client addresses as the internet has them: one IPv6 host holds a whole /64 (2^64 addresses, each
 * a new "client" to a limiter that counts addresses), and a dual-stack socket reports an IPv4 peer
 * as `::ffff:1.2.3.4`. Limits count by the key an address falls under.
 */

/** The eight 16-bit groups of an IPv6 address (`::` expanded, an embedded IPv4 tail read), or undefined. */
export function ipv6Groups(address: string): number[] | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.replace(/%.*$/, "");
  // An embedded IPv4 tail (`::ffff:192.0.2.1`) is two groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const missing = 8 - left.length - right.length;
  const groups = [...left, ...(tail === undefined ? [] : Array(missing).fill("0")), ...right].map((g) => Number.parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined;
}

/**
 * The key an address counts under in per-address limits: an IPv4 address as it is (an
 * IPv4-mapped IPv6 address as its IPv4 address); an IPv6 address by its first `ipv6Prefix` bits
 * (64 by default, as the well-kept rate limiters do), written `2001:db8:0:1:0:0:0:0/64`; anything
 * else (a Unix socket's empty address) as it is.
 *
 * @example
 * ```ts
 * addressKey("::ffff:192.0.2.7");            // "192.0.2.7"
 * addressKey("2001:db8:0:1:a:b:c:d");        // "2001:db8:0:1:0:0:0:0/64"
 * ```
 */
export function addressKey(address: string, ipv6Prefix = 64): string {
  const groups = ipv6Groups(address);
  if (!groups) return address;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  const bits = Math.max(0, Math.min(128, Math.floor(ipv6Prefix)));
  const masked = groups.map((g, i) => {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    return keep === 0 ? 0 : g & (0xffff << (16 - keep)) & 0xffff;
  });
  return `${masked.map((g) => g.toString(16)).join(":")}/${bits}`;
}

/**
 * The `for=` nodes of RFC 7239 `Forwarded` header values, in order (nearest proxy last): quotes,
 * brackets and ports taken off; obfuscated identifiers (`_hidden`) and `unknown` kept, so that
 * counting hops from the right stays true, and refused later as not addresses.
 */
export function forwardedNodes(value: string): string[] {
  const nodes: string[] = [];
  for (const element of value.split(",")) {
    const pair = element
      .split(";")
      .map((p) => p.trim())
      .find((p) => /^for=/i.test(p));
    if (pair === undefined) {
      nodes.push("");
      continue;
    }
    let node = pair
      .slice(4)
      .trim()
      .replace(/^"(.*)"$/, "$1");
    const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(node);
    if (bracketed) node = bracketed[1] as string;
    else if (/^[\d.]+:\d+$/.test(node)) node = node.replace(/:\d+$/, "");
    nodes.push(node);
  }
  return nodes;
}
