import { endpointUrlProblem } from '../../src/webhooks/url-policy.js';

const NON_PUBLIC = /resolves? to a non-public address/;

describe('endpoint URL policy', () => {
  const strict = { allowPrivate: false };
  const dev = { allowPrivate: true };
  it.each(['https://hooks.partner.example/x', 'https://93.184.216.34/hook', 'https://[2606:4700::1111]/hook', 'https://partner.example:8443/x?y=1'])(
    'allows %s',
    (url) => expect(endpointUrlProblem(url, strict)).toBeUndefined(),
  );

  it.each([
    ['http://hooks.partner.example/x', /https/],
    ['ftp://partner.example/x', /https/],
    ['https://user:pw@partner.example/x', /credentials/],
    ['https://127.0.0.1/x', NON_PUBLIC],
    ['https://127.1.2.3/x', NON_PUBLIC],
    ['https://localhost/x', /local host name/],
    ['https://api.localhost/x', /local host name/],
    ['https://intranet/x', /local host name/],
    ['https://10.0.0.1/x', NON_PUBLIC],
    ['https://172.16.5.4/x', NON_PUBLIC],
    ['https://192.168.1.1/x', NON_PUBLIC],
    ['https://100.64.0.1/x', NON_PUBLIC],
    ['https://169.254.10.10/x', NON_PUBLIC],
    ['https://169.254.169.254/latest', NON_PUBLIC],
    ['https://metadata.google.internal/computeMetadata', /cloud metadata/],
    ['https://0.0.0.0/x', NON_PUBLIC],
    ['https://2130706433/x', NON_PUBLIC], // the URL parser normalises the integer form to 127.0.0.1
    ['https://[::1]/x', NON_PUBLIC],
    ['https://[::ffff:127.0.0.1]/x', NON_PUBLIC],
    ['https://[::ffff:a9fe:a9fe]/x', NON_PUBLIC],
    ['https://[fe80::1]/x', NON_PUBLIC],
    ['https://[fd12:3456::1]/x', NON_PUBLIC],
    ['https://[::127.0.0.1]/x', NON_PUBLIC],
    ['https://[2002:a9fe:a9fe::1]/x', NON_PUBLIC],
    ['not a url', /absolute URL/],
  ])('refuses %s', (url, reason) => expect(endpointUrlProblem(url, strict)).toMatch(reason));

  it('allows http and loopback and private addresses when HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS is on, but never credentials or other schemes', () => {
    expect(endpointUrlProblem('http://127.0.0.1:3000/hook', dev)).toBeUndefined();
    expect(endpointUrlProblem('http://localhost:3000/hook', dev)).toBeUndefined();
    expect(endpointUrlProblem('http://10.1.2.3/hook', dev)).toBeUndefined();
    expect(endpointUrlProblem('http://[::1]:3000/hook', dev)).toBeUndefined();
    expect(endpointUrlProblem('http://[fd12:3456::1]/hook', dev)).toBeUndefined();
    expect(endpointUrlProblem('http://your.service.com/webhooks', dev)).toBeUndefined();
    expect(endpointUrlProblem('file:///etc/passwd', dev)).toMatch(/https/);
    expect(endpointUrlProblem('http://u:p@127.0.0.1/', dev)).toMatch(/credentials/);
  });

  // #16.3: the development flag never opens link-local addresses or cloud metadata services.
  it.each([
    ['http://169.254.169.254/latest/meta-data/', NON_PUBLIC],
    ['http://169.254.10.10/x', NON_PUBLIC],
    ['http://100.100.100.200/latest/meta-data/', NON_PUBLIC],
    ['http://[fd00:ec2::254]/latest/meta-data/', NON_PUBLIC],
    ['http://[fe80::1]/x', NON_PUBLIC],
    ['http://[::ffff:169.254.169.254]/x', NON_PUBLIC],
    ['http://[64:ff9b::169.254.169.254]/x', NON_PUBLIC],
    ['http://[2001::5601:5601]/x', NON_PUBLIC],
    ['http://metadata.google.internal/computeMetadata/v1/', /cloud metadata/],
    ['http://METADATA.GOOGLE.INTERNAL./computeMetadata/v1/', /cloud metadata/],
    ['http://metadata/computeMetadata/v1/', /cloud metadata/],
    ['http://metadata.goog/computeMetadata/v1/', /cloud metadata/],
    ['http://instance-data/latest/meta-data/', /cloud metadata/],
    ['http://instance-data.ec2.internal/latest/meta-data/', /cloud metadata/],
  ])('refuses %s even with HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS on', (url, reason) => {
    const problem = endpointUrlProblem(url, dev);
    expect(problem).toMatch(reason);
    expect(problem).toMatch(/never/);
  });
});
