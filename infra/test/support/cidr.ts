import net from 'node:net';

/** An address as a number with its family's width, so IPv4 and IPv6 ranges compare the same way. */
interface Address {
  bits: 32 | 128;
  value: bigint;
}

function parseIpv4(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function parseIpv6(ip: string): bigint {
  let text = ip;
  // A dotted IPv4 tail (::ffff:10.0.0.1) is two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = parseIpv4(dotted[1]!);
    text = `${text.slice(0, -dotted[1]!.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter(Boolean) : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseAddress(ip: string): Address {
  if (net.isIPv4(ip)) return { bits: 32, value: parseIpv4(ip) };
  if (net.isIPv6(ip)) return { bits: 128, value: parseIpv6(ip) };
  throw new Error(`not an IP address: ${ip}`);
}

interface Range {
  bits: 32 | 128;
  first: bigint;
  last: bigint;
}

export function parseCidr(cidr: string): Range {
  const [ip, len] = cidr.split('/') as [string, string];
  const { bits, value } = parseAddress(ip);
  const prefix = BigInt(Number(len));
  const hostBits = BigInt(bits) - prefix;
  const first = (value >> hostBits) << hostBits;
  return { bits, first, last: first + (1n << hostBits) - 1n };
}

export function cidrContainsIp(cidr: string, ip: string): boolean {
  const r = parseCidr(cidr);
  const a = parseAddress(ip);
  return r.bits === a.bits && a.value >= r.first && a.value <= r.last;
}

export function cidrContainsCidr(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return o.bits === i.bits && i.first >= o.first && i.last <= o.last;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.bits === y.bits && x.first <= y.last && y.first <= x.last;
}
