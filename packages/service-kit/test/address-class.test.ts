import { classifyAddress, isCloudMetadataHost, refusedAddressClass } from '../src/index.js';

/** The host name the WHATWG URL parser gives for a bracketed IPv6 literal, brackets removed. */
const urlHost = (literal: string) => new URL(`http://[${literal}]/`).hostname.slice(1, -1);

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'cloud-metadata'],
    ['100.100.100.200', 'cloud-metadata'],
    ['100.64.0.1', 'cgnat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'cloud-metadata'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['fe80::1%eth0', 'link-local'],
    ['not-an-ip', 'reserved'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyAddress(ip)).toBe(cls);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (ip) => {
    expect(classifyAddress(ip)).toBeUndefined();
  });

  // #16.9: every IPv6 form that carries an IPv4 address is judged by that address.
  describe('IPv6 forms carrying an IPv4 address', () => {
    it.each([
      // IPv4-compatible ::a.b.c.d (deprecated, still parsed and routed by some stacks)
      ['::127.0.0.1', 'loopback'],
      ['::7f00:1', 'loopback'],
      ['::169.254.169.254', 'cloud-metadata'],
      ['::a9fe:a9fe', 'cloud-metadata'],
      ['::10.0.0.1', 'private'],
      ['::0.0.0.1', 'loopback'], // that is ::1
      // IPv4-mapped ::ffff:a.b.c.d, in every spelling
      ['::ffff:10.0.0.1', 'private'],
      ['0:0:0:0:0:ffff:a9fe:a9fe', 'cloud-metadata'],
      ['::FFFF:A9FE:A9FE', 'cloud-metadata'],
      ['::ffff:100.100.100.200', 'cloud-metadata'],
      // IPv4-translated ::ffff:0:a.b.c.d (SIIT)
      ['::ffff:0:127.0.0.1', 'loopback'],
      ['::ffff:0:7f00:1', 'loopback'],
      ['::ffff:0:a9fe:a9fe', 'cloud-metadata'],
      ['::ffff:0:c0a8:101', 'private'],
      // NAT64 well-known prefix 64:ff9b::/96
      ['64:ff9b::127.0.0.1', 'loopback'],
      ['64:ff9b::a9fe:a9fe', 'cloud-metadata'],
      ['64:ff9b::6464:64c8', 'cloud-metadata'],
      // NAT64 local-use prefix 64:ff9b:1::/48, in the /96 layout and the RFC 6052 /48, /56 and /64 layouts
      ['64:ff9b:1::10.0.0.1', 'private'],
      ['64:ff9b:1:abcd:12::a9fe:a9fe', 'cloud-metadata'],
      ['64:ff9b:1:a9fe:a9:fe00::', 'cloud-metadata'], // /48: 169.254 | u-octet | 169.254
      ['64:ff9b:1:ffa9:fe:a9fe::', 'cloud-metadata'], // /56: prefix octet ff, then 169 | u-octet | 254.169.254
      ['64:ff9b:1:ffff:7f:0:100::', 'loopback'], // /64: u-octet | 127.0.0.1
      // 6to4 2002:a.b.c.d::/48
      ['2002:a9fe:a9fe::1', 'cloud-metadata'],
      ['2002:7f00:1::', 'loopback'],
      ['2002:c0a8:101:1::1', 'private'],
      ['2002:6464:64c8::', 'cloud-metadata'],
      // Teredo 2001:0::/32: the client's IPv4 is the last 32 bits, inverted
      ['2001:0:4136:e378:8000:63bf:5601:5601', 'cloud-metadata'], // 169.254.169.254
      ['2001::80ff:fffe', 'loopback'], // 127.0.0.1
      ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private'], // 10.0.0.1
    ])('%s is %s', (ip, cls) => {
      expect(classifyAddress(ip)).toBe(cls);
    });

    it.each([
      ['::ffff:127.0.0.1', 'loopback'],
      ['::127.0.0.1', 'loopback'],
      ['::ffff:0:169.254.169.254', 'cloud-metadata'],
      ['64:ff9b::10.0.0.1', 'private'],
      ['64:ff9b:1::169.254.169.254', 'cloud-metadata'],
      ['2002:a9fe:a9fe::', 'cloud-metadata'],
      ['2001:0:0:0:0:0:80ff:fffe', 'loopback'],
      ['0:0:0:0:0:ffff:169.254.169.254', 'cloud-metadata'],
    ])('the URL parser form of [%s] is %s', (literal, cls) => {
      const host = urlHost(literal);
      expect(host).not.toContain('.'); // the parser writes the embedded address in hex
      expect(classifyAddress(host)).toBe(cls);
    });

    it.each([
      '::ffff:8.8.8.8',
      '::8.8.8.8',
      '::ffff:0:8.8.8.8',
      '64:ff9b::8.8.8.8',
      '64:ff9b:1::8.8.8.8',
      '2002:808:808::1',
      '2001:0:4136:e378:8000:63bf:f7f7:f7f7', // Teredo client 8.8.8.8
      '2001:4860:4860::8888', // 2001:4860::/32 is not Teredo
    ])('%s carries a public address', (ip) => {
      expect(classifyAddress(ip)).toBeUndefined();
    });
  });
});

// #16.3: HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS admits loopback and private ranges, never link-local or metadata.
describe('refusedAddressClass', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['169.254.169.254', 'cloud-metadata'],
    ['8.8.8.8', undefined],
  ])('without the development flag refuses %s as %s', (ip, cls) => {
    expect(refusedAddressClass(ip, false)).toBe(cls);
  });

  it.each(['127.0.0.1', '::1', '10.0.0.1', '172.16.0.1', '192.168.1.1', 'fd12:3456::1', '100.64.0.1', '::ffff:127.0.0.1', '8.8.8.8'])(
    'with the development flag admits %s',
    (ip) => expect(refusedAddressClass(ip, true)).toBeUndefined(),
  );

  it.each([
    ['169.254.169.254', 'cloud-metadata'],
    ['169.254.10.10', 'link-local'],
    ['100.100.100.200', 'cloud-metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%lo', 'link-local'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['::ffff:a9fe:a9fe', 'cloud-metadata'],
    ['64:ff9b::a9fe:a9fe', 'cloud-metadata'],
    ['2002:a9fe:a9fe::', 'cloud-metadata'],
    ['2001::5601:5601', 'cloud-metadata'],
  ])('with the development flag still refuses %s as %s', (ip, cls) => {
    expect(refusedAddressClass(ip, true)).toBe(cls);
  });
});

describe('isCloudMetadataHost', () => {
  it.each([
    'metadata.google.internal',
    'METADATA.google.internal',
    'metadata.google.internal.',
    'metadata.goog',
    'metadata',
    'instance-data',
    'instance-data.ec2.internal',
    'instance-data.us-west-2.compute.internal',
  ])('%s is a cloud metadata host', (host) => expect(isCloudMetadataHost(host)).toBe(true));

  it.each(['metadata.example.com', 'hooks.partner.example', 'my-metadata.google.com', 'localhost'])('%s is not', (host) =>
    expect(isCloudMetadataHost(host)).toBe(false),
  );
});
