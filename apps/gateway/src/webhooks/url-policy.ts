import { isIP } from 'node:net';
import { classifyAddress, describeAddressClass } from '@hookstream/service-kit';

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
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  const reason = privateHostReason(host);
  return reason ? `must not point to ${reason} (allowed only with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true)` : undefined;
}

const LOCAL_NAMES = /(^|\.)(localhost|localdomain|local|internal|home\.arpa)$/;
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

/** A description of the private kind of a host name or literal address, or undefined for a public one. */
export function privateHostReason(host: string): string | undefined {
  if (METADATA_NAMES.has(host)) return 'a cloud metadata service';
  if (isIP(host)) {
    // The same classification the worker applies to resolved addresses at send time.
    const cls = classifyAddress(host);
    return cls ? describeAddressClass(cls) : undefined;
  }
  if (LOCAL_NAMES.test(host) || !host.includes('.')) return 'a local host name';
  // Numeric forms the URL parser did not normalise (e.g. a bare integer) are refused too.
  if (/^[0-9.]+$/.test(host) || /^0x/i.test(host)) return 'a numeric host that is not a valid public address';
  return undefined;
}
