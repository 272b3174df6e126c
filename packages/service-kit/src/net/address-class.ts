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

function inRange(value: bigint, bits: number, [base, prefix]: Range): boolean {
  const shift = BigInt(bits - prefix);
  return value >> shift === base >> shift;
}

/**
 * The class of a non-public address, or undefined for a public one. IPv4-mapped and NAT64
 * IPv6 addresses are judged by the IPv4 address they carry. Anything unparseable is `reserved`.
 */
export function classifyAddress(ip: string): AddressClass | undefined {
  const family = isIP(ip.split('%')[0]!);
  if (family === 4) {
    const n = v4ToInt(ip);
    return V4.find((r) => inRange(n, 32, r))?.[2];
  }
  if (family === 6) {
    const n = v6ToInt(ip);
    const embedded = n >> 32n;
    if (embedded === 0xffffn || embedded === v6ToInt('64:ff9b::') >> 32n) {
      const v4 = n & 0xffffffffn;
      return V4.find((r) => inRange(v4, 32, r))?.[2];
    }
    return V6.find((r) => inRange(n, 128, r))?.[2];
  }
  return 'reserved';
}

const DESCRIPTION: Record<AddressClass, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  cgnat: 'a shared (carrier-grade NAT) address',
  'cloud-metadata': 'a cloud metadata service',
  'unique-local': 'a private (unique local) address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
};

/** Words for an address class, for error messages. */
export function describeAddressClass(cls: AddressClass): string {
  return DESCRIPTION[cls];
}
