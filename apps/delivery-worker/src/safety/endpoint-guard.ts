import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { classifyAddress, type AddressClass } from '@hookstream/service-kit';

/** A destination that resolves to an address partners' endpoints may not use. */
export class EndpointRefusedError extends Error {
  readonly code = 'ENDPOINT_REFUSED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly addressClass: AddressClass,
  ) {
    super(`${host} resolves to ${address}, a ${addressClass} address; private endpoints are refused (HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS is off)`);
    this.name = 'EndpointRefusedError';
  }
}

/** Throws when the URL's host is an IP literal of a refused class (no DNS lookup happens for those). */
export function checkLiteralHost(url: URL, allowPrivate: boolean): void {
  if (allowPrivate) return;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0) return;
  const cls = classifyAddress(host);
  if (cls) throw new EndpointRefusedError(host, host, cls);
}

/**
 * A `lookup` for the HTTP agent: resolves every address of the host, refuses the connection
 * if any of them is not public, and hands the checked addresses to the socket, so the address
 * connected to is the one checked (no second resolution an attacker's DNS could answer
 * differently).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      if (!allowPrivate) {
        for (const a of addresses) {
          const cls = classifyAddress(a.address);
          if (cls) return callback(new EndpointRefusedError(hostname, a.address, cls), '', 0);
        }
      }
      if (addresses.length === 0) {
        const e = Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
        return callback(e, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}
