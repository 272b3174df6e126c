import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { isCloudMetadataHost, refusedAddressClass, type AddressClass } from '@hookstream/service-kit';

/**
 * What tenants read when their endpoint is refused: the same words whatever the address and its
 * class, so that the delivery history is no oracle for what internal names resolve to.
 */
export const ENDPOINT_REFUSED_MESSAGE = 'the endpoint resolves to a non-public address; hookstream calls only public endpoints';

/** Why a destination was refused, for the operator log only. */
export interface EndpointRefusal {
  host: string;
  /** The refused address; absent when the host name itself is refused (a cloud metadata name). */
  address?: string;
  addressClass: AddressClass;
}

/** A destination that resolves to an address partners' endpoints may not use. */
export class EndpointRefusedError extends Error {
  readonly code = 'ENDPOINT_REFUSED';
  readonly refusal: EndpointRefusal;
  constructor(
    readonly host: string,
    readonly address: string | undefined,
    readonly addressClass: AddressClass,
  ) {
    super(ENDPOINT_REFUSED_MESSAGE);
    this.name = 'EndpointRefusedError';
    this.refusal = { host, ...(address !== undefined ? { address } : {}), addressClass };
  }
}

/**
 * Throws when the URL's host is refused by what it says, before any lookup: a cloud metadata
 * name, or an IP literal of a refused class (the socket does no lookup for those).
 * HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS admits loopback and private addresses, never link-local or metadata ones.
 */
export function checkUrlHost(url: URL, allowPrivate: boolean): void {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isCloudMetadataHost(host)) throw new EndpointRefusedError(host, undefined, 'cloud-metadata');
  if (isIP(host) === 0) return;
  const cls = refusedAddressClass(host, allowPrivate);
  if (cls) throw new EndpointRefusedError(host, host, cls);
}

/**
 * A `lookup` for the HTTP agent: resolves every address of the host, refuses the connection
 * if any of them is refused, and hands the checked addresses to the socket, so the address
 * connected to is the one checked (no second resolution an attacker's DNS could answer
 * differently).
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { family: options.family, hints: options.hints, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      for (const a of addresses) {
        const cls = refusedAddressClass(a.address, allowPrivate);
        if (cls) return callback(new EndpointRefusedError(hostname, a.address, cls), '', 0);
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
