import { endpointUrlProblem, privateHostReason } from '../../src/webhooks/url-policy.js';

describe('endpoint URL policy', () => {
  const strict = { allowPrivate: false };
  it.each(['https://hooks.partner.example/x', 'https://93.184.216.34/hook', 'https://[2606:4700::1111]/hook', 'https://partner.example:8443/x?y=1'])(
    'allows %s',
    (url) => expect(endpointUrlProblem(url, strict)).toBeUndefined(),
  );

  it.each([
    ['http://hooks.partner.example/x', /https/],
    ['ftp://partner.example/x', /https/],
    ['https://user:pw@partner.example/x', /credentials/],
    ['https://127.0.0.1/x', /loopback/],
    ['https://127.1.2.3/x', /loopback/],
    ['https://localhost/x', /local host name/],
    ['https://api.localhost/x', /local host name/],
    ['https://intranet/x', /local host name/],
    ['https://10.0.0.1/x', /private/],
    ['https://172.16.5.4/x', /private/],
    ['https://192.168.1.1/x', /private/],
    ['https://100.64.0.1/x', /shared/],
    ['https://169.254.10.10/x', /link-local/],
    ['https://169.254.169.254/latest', /metadata/],
    ['https://metadata.google.internal/computeMetadata', /metadata/],
    ['https://0.0.0.0/x', /unspecified/],
    ['https://2130706433/x', /loopback/], // the URL parser normalises the integer form to 127.0.0.1
    ['https://[::1]/x', /loopback/],
    ['https://[::ffff:127.0.0.1]/x', /loopback/],
    ['https://[::ffff:a9fe:a9fe]/x', /metadata/],
    ['https://[fe80::1]/x', /link-local/],
    ['https://[fd12:3456::1]/x', /unique local/],
    ['not a url', /absolute URL/],
  ])('refuses %s', (url, reason) => expect(endpointUrlProblem(url, strict)).toMatch(reason));

  it('allows http and private addresses when HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS is on, but never credentials or other schemes', () => {
    const dev = { allowPrivate: true };
    expect(endpointUrlProblem('http://127.0.0.1:3000/hook', dev)).toBeUndefined();
    expect(endpointUrlProblem('http://your.service.com/webhooks', dev)).toBeUndefined();
    expect(endpointUrlProblem('file:///etc/passwd', dev)).toMatch(/https/);
    expect(endpointUrlProblem('http://u:p@127.0.0.1/', dev)).toMatch(/credentials/);
  });

  it('classifies host names and addresses', () => {
    expect(privateHostReason('hooks.example.com')).toBeUndefined();
    expect(privateHostReason('printer.local')).toMatch(/local/);
    expect(privateHostReason('224.0.0.1')).toMatch(/multicast/);
  });
});
