import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/**
 * The proxies whose `X-Forwarded-For` the gateway believes (TRUSTED_PROXIES: addresses and CIDR
 * ranges, IPv4 or IPv6). Behind a load balancer or an ingress every request arrives from the
 * proxy's address: without this, the failed-authentication throttle would count every client's
 * failures under that one address, and one client guessing keys would lock all the others out.
 * Only trusted proxies are believed, since anybody can send the header.
 */
export class TrustedProxies {
  private constructor(
    private readonly list: BlockList,
    /** The entries as configured (for the start log). */
    readonly entries: readonly string[],
  ) {}

  /** Parses the comma-separated list; a bad entry throws the rule (the process stops at start naming the variable). */
  static parse(raw: string): TrustedProxies {
    const list = new BlockList();
    const entries = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    for (const entry of entries) {
      const [address = '', bits, extra] = entry.split('/');
      const family = isIP(address);
      const max = family === 6 ? 128 : 32;
      const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
      if (family === 0 || extra !== undefined || !(prefix <= max)) {
        throw `must be a comma-separated list of IP addresses or CIDR ranges (for example 10.0.0.0/8,fd00::/8,203.0.113.7); ${JSON.stringify(entry)} is not one`;
      }
      list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
    }
    return new TrustedProxies(list, entries);
  }

  has(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * The client behind `peer`: `X-Forwarded-For` read from the right (each proxy appends the
   * address it was called from), skipping trusted proxies; the first address that is not one is
   * the client. An entry that is not an address ends the walk at the proxy that wrote it, which
   * is then the client as far as the gateway can tell.
   */
  clientOf(peer: string, forwardedFor: string | string[] | undefined): string {
    if (forwardedFor === undefined || !this.has(peer)) return peer;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!.trim();
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!this.has(hop)) return hop;
    }
    return client;
  }
}

/**
 * The client's address: the socket's peer, or behind a trusted proxy the client it forwarded for.
 * Served with or without Express (a direct route), a request counts under the same address: the
 * gateway sets no Express `trust proxy` and never reads `req.ip`.
 */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies | undefined): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  return trusted ? trusted.clientOf(peer, req.headers['x-forwarded-for']) : peer;
}
