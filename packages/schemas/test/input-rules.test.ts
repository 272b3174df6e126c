import { randomBytes } from 'node:crypto';
import { fixtures, normalizeWebhookRequest } from '../src/index.js';
import type { ValidationError } from '../src/index.js';

function errorsOf(body: unknown): ValidationError[] {
  const r = normalizeWebhookRequest(body);
  return r.ok ? [] : r.errors;
}

const tokenWebhook = (header_name: string) => ({
  ...fixtures.webhookRequests.notificationToken,
  auth_config: { token: 'partner-token-123', header_name },
});

const whsec = (bytes: number) => 'whsec_' + randomBytes(bytes).toString('base64');

describe('#16.1 tenant-supplied header names cannot set framing, routing or platform headers', () => {
  it.each([
    'Content-Length',
    'content-length',
    'Host',
    'Transfer-Encoding',
    'Expect',
    'Connection',
    'Keep-Alive',
    'TE',
    'Trailer',
    'Upgrade',
    'Proxy-Authorization',
    'proxy-anything',
    'Content-Type',
    'Content-Encoding',
    'User-Agent',
    'Cookie',
    'webhook-signature',
    'Webhook-Id',
    'webhook-anything-new',
    'X-Forwarded-For',
    'Forwarded',
  ])('refuses header_name %j with a 400 at /auth_config/header_name', (name) => {
    const errors = errorsOf(tokenWebhook(name));
    expect(errors).toEqual([
      expect.objectContaining({ path: '/auth_config/header_name', rule: 'headerName', message: expect.stringContaining('is reserved') }),
    ]);
  });

  it.each(['x token', 'x-token:', 'x-tökén', '', 'a\r\nb'])('refuses %j as not an HTTP token', (name) => {
    const errors = errorsOf(tokenWebhook(name));
    expect(errors).toEqual([expect.objectContaining({ path: '/auth_config/header_name' })]);
  });

  it.each(['x-partner-token', 'X-Api-Key', 'Authorization', 'x-openweb-notification-event-webhook-token'])(
    'accepts %j (authorization: the token auth type is then the one setting it)',
    (name) => {
      const r = normalizeWebhookRequest(tokenWebhook(name));
      expect(r.ok).toBe(true);
    },
  );
});

describe('#16.2 signing secrets are whsec_ + base64 of 24 to 64 bytes (Standard Webhooks)', () => {
  it.each([24, 32, 48, 63, 64])('accepts whsec_ + base64 of %i random bytes', (bytes) => {
    const secret = whsec(bytes);
    const r = normalizeWebhookRequest({ ...fixtures.webhookRequests.contentWebhook, signing_secret: secret });
    expect(r.ok && r.value.signing_secret).toBe(secret);
  });

  it.each([
    ['a plain string', 'a-plain-signing-secret-of-more-than-24-characters'],
    ['whsec_ with invalid base64 (would be an empty key)', 'whsec_!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'],
    ['whsec_ with url-safe base64', 'whsec_' + Buffer.from('\xfb\xff'.repeat(16), 'latin1').toString('base64url')],
    ['whsec_ + base64 of 23 bytes', whsec(23)],
    ['whsec_ + base64 of 18 bytes (24 characters with the prefix)', whsec(18)],
    ['whsec_ + base64 of 65 bytes', whsec(65)],
    ['whsec_ with whitespace', 'whsec_ ' + randomBytes(32).toString('base64')],
    ['whsec_ with a missing padding', whsec(32).replace(/=+$/, '')],
    ['whsec_ with non-canonical trailing bits', 'whsec_' + Buffer.alloc(32).toString('base64').replace(/A=$/, 'B=')],
    ['whsec_ alone', 'whsec_'],
  ])('refuses %s with a message saying how to make one', (_what, secret) => {
    for (const shape of [fixtures.webhookRequests.contentWebhook, fixtures.webhookRequests.notificationToken]) {
      const errors = errorsOf({ ...shape, signing_secret: secret });
      expect(errors).toEqual([expect.objectContaining({ path: '/signing_secret', message: expect.stringContaining('openssl rand -base64 32') })]);
    }
  });

  it('never repeats the refused secret in the error', () => {
    const secret = 'a-plain-signing-secret-LEAK-of-more-than-24-characters';
    expect(JSON.stringify(errorsOf({ ...fixtures.webhookRequests.contentWebhook, signing_secret: secret }))).not.toContain('LEAK');
  });
});
