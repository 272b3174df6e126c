import { TrustedProxies } from '../../src/http/client-address.js';

describe('TrustedProxies', () => {
  const proxies = TrustedProxies.parse(' 10.0.0.0/8, fd00::/8 ,203.0.113.7');

  it('reads addresses and CIDR ranges of both families', () => {
    expect(proxies.entries).toEqual(['10.0.0.0/8', 'fd00::/8', '203.0.113.7']);
    expect(proxies.has('10.1.2.3')).toBe(true);
    expect(proxies.has('::ffff:10.1.2.3')).toBe(true);
    expect(proxies.has('fd12::1')).toBe(true);
    expect(proxies.has('203.0.113.7')).toBe(true);
    expect(proxies.has('203.0.113.8')).toBe(false);
    expect(proxies.has('unknown')).toBe(false);
  });

  it.each(['10.0.0.0/', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/1', 'proxy.internal', '10.0.0.256', '10.0.0.0/-1'])('refuses %j, naming it', (entry) => {
    expect(() => TrustedProxies.parse(`10.0.0.1,${entry}`)).toThrow(JSON.stringify(entry));
  });

  it.each([
    ['a peer that is not a proxy: its header is ignored', '198.51.100.1', '192.0.2.9', '198.51.100.1'],
    ['a trusted peer without the header', '10.0.0.5', undefined, '10.0.0.5'],
    ['the rightmost address that is not a proxy', '10.0.0.5', '192.0.2.66, 192.0.2.9, 10.9.9.9', '192.0.2.9'],
    ['every hop a proxy: the leftmost', '10.0.0.5', '10.1.1.1,10.2.2.2', '10.1.1.1'],
    ['a hop that is no address: the proxy that wrote it', '10.0.0.5', '192.0.2.9, garbage, 10.2.2.2', '10.2.2.2'],
    ['repeated headers, read as one list', '10.0.0.5', ['192.0.2.1', '192.0.2.2'], '192.0.2.2'],
  ] as const)('names the client: %s', (_what, peer, header, client) => {
    expect(proxies.clientOf(peer, header as string | string[] | undefined)).toBe(client);
  });
});
