import { isIP } from 'node:net';

/**
 * Where hookstream may send requests. The API checks what the URL itself says (scheme,
 * literal IP addresses, local host names); the delivery worker re-checks the address the
 * name resolves to at send time, which is the only place DNS rebinding can be caught.
 */
export interface UrlPolicy {
  allowPrivate: boolean;
}

/** Returns why the URL is refused, or undefined when it may be used. */
export function endpointUrlProblem(raw: string, policy: UrlPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https:// URL';
  if (url.username || url.password) return 'must not contain credentials (use auth_type to authenticate)';
  if (policy.allowPrivate) return undefined;
  if (url.protocol !== 'https:') return 'must be an https:// URL (plain http is allowed only with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true)';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  const reason = privateHostReason(host);
  return reason ? `must not point to ${reason} (allowed only with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true)` : undefined;
}

const LOCAL_NAMES = /(^|\.)(localhost|localdomain|local|internal|home\.arpa)$/;
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** A description of the private kind of a host name or literal address, or undefined for a public one. */
export function privateHostReason(host: string): string | undefined {
  if (METADATA_NAMES.has(host)) return 'a cloud metadata service';
  const family = isIP(host);
  if (family === 4) return ipv4Reason(host);
  if (family === 6) return ipv6Reason(host);
  if (LOCAL_NAMES.test(host) || !host.includes('.')) return 'a local host name';
  // Numeric forms the URL parser did not normalise (e.g. a bare integer) are refused too.
  if (/^[0-9.]+$/.test(host) || /^0x/i.test(host)) return 'a numeric host that is not a valid public address';
  return undefined;
}

function ipv4Reason(ip: string): string | undefined {
  const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number);
  if (a === 169 && b === 254) return c === 169 && d === 254 ? 'a cloud metadata service' : 'a link-local address';
  if (a === 127) return 'a loopback address';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'a private address';
  if (a === 100 && b >= 64 && b <= 127) return 'a shared (carrier-grade NAT) address';
  if (a === 0) return 'an unspecified address';
  if (a >= 224) return 'a multicast or reserved address';
  if (a === 192 && b === 0 && c === 0) return 'a reserved address';
  if (a === 198 && (b === 18 || b === 19)) return 'a benchmarking address';
  return undefined;
}

function ipv6Reason(ip: string): string | undefined {
  const lower = ip.toLowerCase();
  if (lower === '::1') return 'a loopback address';
  if (lower === '::') return 'an unspecified address';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return ipv4Reason(mapped[1]!);
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1]!, 16);
    const lo = parseInt(hexMapped[2]!, 16);
    return ipv4Reason(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  const first = parseInt(lower.split(':')[0] || '0', 16);
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address';
  if ((first & 0xfe00) === 0xfc00) return 'a private (unique local) address';
  if ((first & 0xff00) === 0xff00) return 'a multicast address';
  if (lower.startsWith('fd00:ec2::254')) return 'a cloud metadata service';
  return undefined;
}
