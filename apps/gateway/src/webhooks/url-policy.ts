import { isIP } from 'node:net';
import { classifyAddress, isCloudMetadataHost, privateEndpointsAdmit } from '@hookstream/service-kit';

/**
 * Where hookstream may send requests. The API checks what the URL itself says (scheme,
 * literal IP addresses, local and cloud metadata host names); the delivery worker re-checks the
 * address the name resolves to at send time, which is the only place DNS rebinding can be caught.
 * HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true admits plain http, local names, loopback and private
 * addresses for development; link-local addresses and cloud metadata services stay refused.
 */
export interface UrlPolicy {
  allowPrivate: boolean;
}

const DEV_ONLY = '(allowed only with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true)';
const NEVER = '(never allowed, even with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS=true: link-local, cloud metadata and reserved addresses)';
// The same words the worker records when a name resolves to such an address (no class, no address).
const NON_PUBLIC = 'must not resolve to a non-public address';

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
  if (!policy.allowPrivate && url.protocol !== 'https:') return `must be an https:// URL (plain http is ${DEV_ONLY.slice(1, -1)})`;
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
    .replace(/\.$/, '');
  return hostProblem(host, policy.allowPrivate);
}

function hostProblem(host: string, allowPrivate: boolean): string | undefined {
  if (isCloudMetadataHost(host)) return `must not name a cloud metadata service ${NEVER}`;
  if (isIP(host)) {
    // The same classification the worker applies to resolved addresses at send time.
    const cls = classifyAddress(host);
    if (cls === undefined) return undefined;
    if (!privateEndpointsAdmit(cls)) return `${NON_PUBLIC} ${NEVER}`;
    return allowPrivate ? undefined : `${NON_PUBLIC} ${DEV_ONLY}`;
  }
  if (allowPrivate) return undefined;
  if (LOCAL_NAMES.test(host) || !host.includes('.')) return `must not point to a local host name ${DEV_ONLY}`;
  // Numeric forms the URL parser did not normalise (e.g. a bare integer) are refused too.
  if (/^[0-9.]+$/.test(host) || /^0x/i.test(host)) return 'must not be a numeric host that is not a valid public address';
  return undefined;
}

const LOCAL_NAMES = /(^|\.)(localhost|localdomain|local|internal|home\.arpa)$/;
