import { ApiError } from '../src/ui/lib/api.js';
import type { Webhook } from '../src/ui/lib/types.js';
import { emptyForm, formFromWebhook, webhookRequest } from '../src/ui/lib/webhook-form.js';

const EXISTING: Webhook = {
  id: '5f1c9a2e-1111-4000-8000-00000000e21b',
  endpoint: 'https://hooks.example/a',
  enabled: true,
  buggy: false,
  disabled_reason: null,
  registered_events: { email: ['user-mentioned'], 'in-app': [] },
  auth_type: 'partner_secret_token',
  auth_config: { secret_name: 'partners/acme', header_name: 'x-token', has_token: true },
  retry_base: 2,
  retry_max_count: 5,
  has_signing_secret: true,
  signature_scheme: 'hmac-sha256',
  batch_size: 1,
  created_at: '2026-12-05T10:00:00Z',
  updated_at: '2026-12-05T10:00:00Z',
  uri: 'https://gw/v1/webhooks/x',
  resources: {},
};

describe('endpoint form -> webhook request', () => {
  it('a new endpoint: URL, channels, signing on by default, options only when set', () => {
    const form = { ...emptyForm(), url: ' https://hooks.example/new ', events: { email: ['user-mentioned'], 'in-app': ['liked-message'] } };
    expect(webhookRequest(form)).toEqual({
      enabled: true,
      endpoint: 'https://hooks.example/new',
      registered_events: { email: ['user-mentioned'], 'in-app': ['liked-message'] },
      auth_type: 'none',
      signing: true,
      signature_scheme: 'hmac-sha256',
    });
  });

  it('carries every option the form sets', () => {
    const body = webhookRequest({
      ...emptyForm(),
      url: 'https://hooks.example/new',
      fifo: true,
      rateLimit: '2.5',
      retryMaxCount: '3',
      filter: '{"data": {"state": "approved"}}',
      transform: '{"text": data.text}',
      authType: 'partner_secret_token',
      token: 's3cret',
      signing: false,
    });
    expect(body).toMatchObject({
      ordering: 'fifo',
      rate_limit_per_s: 2.5,
      retry_max_count: 3,
      filter: { data: { state: 'approved' } },
      transform: '{"text": data.text}',
    });
    expect(body.auth_config).toEqual({ token: 's3cret' });
    expect(body).not.toHaveProperty('signing');
  });

  it('an edit repeats what the form does not show, keeps the generated signing key and the secret-store reference, and drops answer-only fields', () => {
    const body = webhookRequest({ ...formFromWebhook(EXISTING), url: 'https://hooks.example/b' }, EXISTING);
    expect(body).toMatchObject({
      endpoint: 'https://hooks.example/b',
      retry_base: 2,
      retry_max_count: 5,
      batch_size: 1,
      signing: true,
      signature_scheme: 'hmac-sha256',
    });
    expect(body.auth_config).toEqual({ header_name: 'x-token', secret_name: 'partners/acme' });
    for (const k of ['id', 'has_signing_secret', 'uri', 'resources', 'created_at', 'buggy', 'disabled_reason']) expect(body).not.toHaveProperty(k);
  });

  it('clearing a filter or transform in an edit removes it', () => {
    const hook = { ...EXISTING, filter: { type: 'x' }, transform: '$' };
    const body = webhookRequest({ ...formFromWebhook(hook), filter: '', transform: '' }, hook);
    expect(body).not.toHaveProperty('filter');
    expect(body).not.toHaveProperty('transform');
  });

  it('refuses an unreadable filter naming /filter, as the API names a path', () => {
    const err = (() => {
      try {
        webhookRequest({ ...emptyForm(), url: 'https://x.example', filter: '{"data": ' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).details[0]!.path).toBe('/filter');
    expect(() => webhookRequest({ ...emptyForm(), url: 'https://x.example', filter: '[1]' })).toThrow(ApiError);
    expect(() => webhookRequest({ ...emptyForm(), url: 'https://x.example', rateLimit: 'fast' })).toThrow(ApiError);
  });
});
