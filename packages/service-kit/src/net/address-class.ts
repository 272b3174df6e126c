import { isIP } from 'node:net';

/** Why an address is not a public internet destination. */
export type AddressClass = 'unspecified' | 'loopback' | 'private' | 'link-local' | 'cgnat' | 'cloud-metadata' | 'unique-local' | 'multicast' | 'reserved';

type Range = [base: bigint, prefix: number, cls: AddressClass];

function v4ToInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function v6ToInt(ip: string): bigint {
  let text = ip.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A trailing dotted quad (::ffff:1.2.3.4) becomes two hex groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const n = v4ToInt(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...fill, ...tailGroups].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

const V4: Range[] = [
  // Most specific first: the metadata addresses sit inside link-local and CGNAT ranges.
  [v4ToInt('169.254.169.254'), 32, 'cloud-metadata'],
  [v4ToInt('100.100.100.200'), 32, 'cloud-metadata'],
  [v4ToInt('0.0.0.0'), 8, 'unspecified'],
  [v4ToInt('10.0.0.0'), 8, 'private'],
  [v4ToInt('100.64.0.0'), 10, 'cgnat'],
  [v4ToInt('127.0.0.0'), 8, 'loopback'],
  [v4ToInt('169.254.0.0'), 16, 'link-local'],
  [v4ToInt('172.16.0.0'), 12, 'private'],
  [v4ToInt('192.0.0.0'), 24, 'reserved'],
  [v4ToInt('192.168.0.0'), 16, 'private'],
  [v4ToInt('198.18.0.0'), 15, 'reserved'],
  [v4ToInt('224.0.0.0'), 4, 'multicast'],
  [v4ToInt('240.0.0.0'), 4, 'reserved'],
];

const V6: Range[] = [
  [v6ToInt('fd00:ec2::254'), 128, 'cloud-metadata'],
  [v6ToInt('::'), 128, 'unspecified'],
  [v6ToInt('::1'), 128, 'loopback'],
  [v6ToInt('fe80::'), 10, 'link-local'],
  [v6ToInt('fc00::'), 7, 'unique-local'],
  [v6ToInt('ff00::'), 8, 'multicast'],
];

function inRange(value: bigint, bits: number, [base, prefix]: readonly [bigint, number, ...unknown[]]): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === base >> shift;
}

const v4Class = (v4: bigint): AddressClass | undefined => V4.find((r) => inRange(v4, 32, r))?.[2];
const V4_MASK = 0xffffffffn;
const bitsAt = (n: bigint, from: number, count: number): bigint => (n >> BigInt(128 - from - count)) & ((1n << BigInt(count)) - 1n);

/** Prefixes whose addresses carry an IPv4 address, and where it sits. */
const EMBEDDING: { range: [base: bigint, prefix: number]; ipv4: (n: bigint) => bigint[] }[] = [
  // IPv4-compatible ::a.b.c.d (deprecated, but parsed and sometimes routed), mapped ::ffff:a.b.c.d, translated ::ffff:0:a.b.c.d (SIIT).
  { range: [0n, 96], ipv4: (n) => [n & V4_MASK] },
  { range: [v6ToInt('::ffff:0:0'), 96], ipv4: (n) => [n & V4_MASK] },
  { range: [v6ToInt('::ffff:0:0:0'), 96], ipv4: (n) => [n & V4_MASK] },
  // NAT64 well-known prefix: a translator on the path connects to the IPv4 address.
  { range: [v6ToInt('64:ff9b::'), 96], ipv4: (n) => [n & V4_MASK] },
  // NAT64 local-use prefix: the operator picks the layout (RFC 6052 /48, /56, /64 or /96), so every
  // layout the address is consistent with is judged (bits 64-71 and the suffix are zero in the shorter ones).
  { range: [v6ToInt('64:ff9b:1::'), 48], ipv4: localUseNat64Candidates },
  // 6to4: 2002:aabb:ccdd::/48 is the site behind the IPv4 address aa.bb.cc.dd.
  { range: [v6ToInt('2002::'), 16], ipv4: (n) => [bitsAt(n, 16, 32)] },
  // Teredo: the client's IPv4 address is the last 32 bits, inverted.
  { range: [v6ToInt('2001::'), 32], ipv4: (n) => [(n & V4_MASK) ^ V4_MASK] },
];

function localUseNat64Candidates(n: bigint): bigint[] {
  const candidates: bigint[] = [];
  const uOctetZero = bitsAt(n, 64, 8) === 0n;
  if (uOctetZero && bitsAt(n, 88, 40) === 0n) candidates.push((bitsAt(n, 48, 16) << 16n) | bitsAt(n, 72, 16));
  if (uOctetZero && bitsAt(n, 96, 32) === 0n) candidates.push((bitsAt(n, 56, 8) << 24n) | bitsAt(n, 72, 24));
  if (uOctetZero && bitsAt(n, 104, 24) === 0n) candidates.push(bitsAt(n, 72, 32));
  candidates.push(n & V4_MASK);
  return candidates;
}

/**
 * The class of a non-public address, or undefined for a public one. IPv6 addresses that carry an
 * IPv4 address (compatible, mapped, translated, NAT64, 6to4, Teredo) are judged by the IPv4
 * address they carry: an attacker's DNS may answer with any of them. Anything unparseable is `reserved`.
 */
export function classifyAddress(ip: string): AddressClass | undefined {
  const family = isIP(ip.split('%')[0]!);
  if (family === 4) return v4Class(v4ToInt(ip));
  if (family === 6) {
    const n = v6ToInt(ip);
    if (n === 0n) return 'unspecified';
    if (n === 1n) return 'loopback';
    const embedding = EMBEDDING.find((e) => inRange(n, 128, e.range));
    if (embedding) {
      for (const v4 of embedding.ipv4(n)) {
        const cls = v4Class(v4);
        if (cls) return cls;
      }
      return undefined;
    }
    return V6.find((r) => inRange(n, 128, r))?.[2];
  }
  return 'reserved';
}

/**
 * Classes `HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true` admits, for development against local
 * services. Link-local and cloud metadata addresses are never admitted: credentials live there.
 */
const DEVELOPMENT_CLASSES: ReadonlySet<AddressClass> = new Set<AddressClass>(['loopback', 'private', 'unique-local', 'cgnat']);

/** Whether HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true admits addresses of this class. */
export function privateEndpointsAdmit(cls: AddressClass): boolean {
  return DEVELOPMENT_CLASSES.has(cls);
}

/** The class for which an endpoint address is refused, or undefined when it may be called. */
export function refusedAddressClass(ip: string, allowPrivate: boolean): AddressClass | undefined {
  const cls = classifyAddress(ip);
  return cls === undefined || (allowPrivate && DEVELOPMENT_CLASSES.has(cls)) ? undefined : cls;
}
