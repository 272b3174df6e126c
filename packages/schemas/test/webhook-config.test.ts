import {
  DEFAULT_CLIENT_ASSERTION_TYPE,
  DEFAULT_TOKEN_HEADER,
  fixtures,
  normalizeWebhookRequest,
  parseWebhookEvents,
  REDACTED,
  redactWebhook,
  SECRET_FIELD_PATHS,
  validateWebhookSpec,
} from '../src/index.js';
import type { ValidationError, WebhookSpec } from '../src/index.js';

function normalized(body: unknown): WebhookSpec {
  const r = normalizeWebhookRequest(body);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
}

function errorsOf(body: unknown): ValidationError[] {
  const r = normalizeWebhookRequest(body);
  return r.ok ? [] : r.errors;
}

const SIGNING = 'whsec_' + Buffer.alloc(40, 1).toString('base64');

const token = () => fixtures.webhookRequests.notificationToken as Record<string, any>;
const jwt = () => fixtures.webhookRequests.notificationJwt as Record<string, any>;

describe('seed examples are accepted as they stand', () => {
  it.each(Object.entries(fixtures.webhookRequests))('%s', (_name, body) => {
    const spec = normalized(body);
    expect(validateWebhookSpec(spec)).toEqual({ ok: true, value: spec });
  });

  it('notification configuration with partner_secret_token', () => {
    expect(normalized(token())).toEqual({
      kind: 'notification',
      endpoint: 'https://hooks.dailyherald.example/openweb/notifications',
      enabled: true,
      auth_type: 'partner_secret_token',
      auth_config: { secret_name: 'partners/daily-herald/openweb-notification-token', header_name: DEFAULT_TOKEN_HEADER },
      retry_base: 2,
      retry_max_count: 5,
      registered_events: { email: ['user-mentioned', 'user-followed', 'liked-message'], 'in-app': [] },
      events: [],
      batch_size: 1,
      timeout_ms: 10_000,
      max_in_flight: 10,
    });
  });

  it('notification configuration with client_secret_jwt; the alias replied-your-message becomes replied-message', () => {
    const spec = normalized(jwt());
    expect(spec.auth_type).toBe('client_secret_jwt');
    expect(spec.registered_events.email).toEqual(['user-mentioned', 'replied-message', 'liked-message']);
    expect(spec.auth_config).toMatchObject({
      client_id: 'openweb-notifier',
      grant_type: 'client_credentials',
      extra_grants: { scope: 'notifications:write', realm: 'partners' },
    });
  });

  it('content webhook, user system webhook and webhook system webhook', () => {
    expect(normalized(fixtures.webhookRequests.contentWebhook)).toMatchObject({
      kind: 'content',
      endpoint: 'http://your.service.com/webhooks',
      object: 'https://sample.jiveon.com/api/core/v3/places/1020',
      events: ['document'],
      auth_type: 'none',
      auth_config: {},
      registered_events: { email: [], 'in-app': [] },
    });
    expect(normalized(fixtures.webhookRequests.userSystemWebhook)).toMatchObject({
      kind: 'system',
      events: ['user_account', 'user_session', 'user_membership'],
    });
    expect(normalized(fixtures.webhookRequests.webhookSystemWebhook)).toMatchObject({ kind: 'system', events: ['webhook'] });
    expect(normalized(fixtures.webhookRequests.webhookSystemWebhook).object).toBeUndefined();
  });
});

describe('notification configuration errors name the path', () => {
  it.each([
    ['retry_base: 6', { retry_base: 6 }, { path: '/retry_base', message: 'must be <= 5', rule: 'maximum' }],
    ['retry_base: 0', { retry_base: 0 }, { path: '/retry_base', message: 'must be >= 1', rule: 'minimum' }],
    ['retry_base: 2.5', { retry_base: 2.5 }, { path: '/retry_base', message: 'must be integer', rule: 'type' }],
    ['retry_max_count: 11', { retry_max_count: 11 }, { path: '/retry_max_count', message: 'must be <= 10', rule: 'maximum' }],
    ['retry_max_count: -1', { retry_max_count: -1 }, { path: '/retry_max_count', message: 'must be >= 0', rule: 'minimum' }],
    [
      'unknown auth_type',
      { auth_type: 'basic' },
      { path: '/auth_type', message: 'must be one of: none, partner_secret_token, client_secret_jwt', rule: 'enum' },
    ],
    ['enabled: "yes"', { enabled: 'yes' }, { path: '/enabled', message: 'must be boolean', rule: 'type' }],
    ['ftp endpoint', { endpoint: 'ftp://hooks.example/x' }, { path: '/endpoint', message: 'must be an http:// or https:// URL', rule: 'pattern' }],
    ['misspelt field', { retry_bsae: 3 }, { path: '/retry_bsae', message: "unknown property 'retry_bsae' is not allowed", rule: 'additionalProperties' }],
  ])('%s', (_name, patch, expected) => {
    expect(errorsOf({ ...token(), ...patch })).toEqual([expected]);
  });

  it('unknown channel', () => {
    const body = token();
    body.registered_events.sms = ['user-mentioned'];
    expect(errorsOf(body)).toEqual([{ path: '/registered_events/sms', message: "unknown property 'sms' is not allowed", rule: 'additionalProperties' }]);
  });

  it('unknown event type in a channel', () => {
    const body = token();
    body.registered_events['in-app'] = ['user-poked'];
    expect(errorsOf(body)).toEqual([
      expect.objectContaining({
        path: '/registered_events/in-app/0',
        rule: 'enum',
        message: expect.stringMatching(/^must be one of: followee-commented, .*liked-messages, replied-your-message$/),
      }),
    ]);
  });

  it('the auth_config must match the auth_type', () => {
    const noSecret = token();
    noSecret.auth_config = { header_name: 'x-token' };
    expect(errorsOf(noSecret)).toEqual([{ path: '/auth_config', message: "must have required property 'token' or 'secret_name'", rule: 'required' }]);

    const both = token();
    both.auth_config = { token: 't0k3n', secret_name: 'x' };
    expect(errorsOf(both)).toEqual([{ path: '/auth_config', message: "must have either 'token' or 'secret_name', not both", rule: 'not' }]);

    const missing = token();
    delete missing.auth_config;
    expect(errorsOf(missing)).toEqual([{ path: '/auth_config', message: "must have required property 'auth_config'", rule: 'required' }]);

    const orphan = token();
    delete orphan.auth_type;
    expect(errorsOf(orphan)).toEqual([
      { path: '/auth_config', message: "auth_config needs auth_type 'partner_secret_token' or 'client_secret_jwt'", rule: 'not' },
    ]);

    const badHeader = token();
    badHeader.auth_config.header_name = 'x token';
    expect(errorsOf(badHeader)).toEqual([{ path: '/auth_config/header_name', message: 'must be a valid HTTP header name', rule: 'pattern' }]);
  });

  it('client_secret_jwt needs client_id, audience, token_uri and a secret', () => {
    const body = jwt();
    delete body.auth_config.client_id;
    delete body.auth_config.client_secret;
    body.auth_config.token_uri = 'ftp://auth.example/token';
    body.auth_config.extra_grants.ttl = 600;
    expect(errorsOf(body)).toEqual([
      { path: '/auth_config', message: "must have required property 'client_secret' or 'secret_name'", rule: 'required' },
      { path: '/auth_config/client_id', message: "must have required property 'client_id'", rule: 'required' },
      { path: '/auth_config/token_uri', message: 'must be an http:// or https:// URL', rule: 'pattern' },
      { path: '/auth_config/extra_grants/ttl', message: 'must be string', rule: 'type' },
    ]);
  });

  it('fills the client_secret_jwt defaults', () => {
    const body = jwt();
    delete body.auth_config.client_assertion_type;
    delete body.auth_config.grant_type;
    delete body.auth_config.extra_grants;
    expect(normalized(body).auth_config).toMatchObject({
      client_assertion_type: DEFAULT_CLIENT_ASSERTION_TYPE,
      grant_type: 'client_credentials',
      extra_grants: {},
    });
  });

  it('a minimal configuration gets every default', () => {
    expect(normalized({ endpoint: 'https://hooks.example/n', spot_id: 'sp_Hr4ld2024' })).toEqual({
      kind: 'notification',
      endpoint: 'https://hooks.example/n',
      enabled: true,
      spot_id: 'sp_Hr4ld2024',
      auth_type: 'none',
      auth_config: {},
      retry_base: 2,
      retry_max_count: 5,
      registered_events: { email: [], 'in-app': [] },
      events: [],
      batch_size: 1,
      timeout_ms: 10_000,
      max_in_flight: 10,
    });
  });

  it('merges aliases with their canonical names', () => {
    const body = token();
    body.registered_events['in-app'] = ['liked-messages', 'liked-message', 'replied-your-message'];
    expect(normalized(body).registered_events['in-app']).toEqual(['liked-message', 'replied-message']);
  });
});

describe('hookstream extensions', () => {
  it('are accepted on both shapes and keep their values', () => {
    const ext = {
      signing_secret: 'whsec_' + Buffer.alloc(32, 7).toString('base64'),
      batch_size: 50,
      timeout_ms: 5000,
      max_in_flight: 4,
      rate_limit_per_s: 2.5,
      description: 'EU partner',
      ordering: 'fifo',
    };
    expect(normalized({ ...token(), ...ext })).toMatchObject(ext);
    expect(normalized({ ...fixtures.webhookRequests.contentWebhook, ...ext })).toMatchObject(ext);
  });

  it('issue 19.2: ordering is unset (unordered) unless asked for; unordered is accepted explicitly', () => {
    expect(normalized(token())).not.toHaveProperty('ordering');
    expect(normalized({ ...fixtures.webhookRequests.contentWebhook, ordering: 'unordered' })).toMatchObject({ ordering: 'unordered' });
  });

  it.each([
    [{ signing_secret: 'too-short' }, '/signing_secret', 'pattern'],
    [{ batch_size: 0 }, '/batch_size', 'minimum'],
    [{ batch_size: 101 }, '/batch_size', 'maximum'],
    [{ timeout_ms: 999 }, '/timeout_ms', 'minimum'],
    [{ timeout_ms: 10_001 }, '/timeout_ms', 'maximum'],
    [{ max_in_flight: 0 }, '/max_in_flight', 'minimum'],
    [{ max_in_flight: 101 }, '/max_in_flight', 'maximum'],
    [{ rate_limit_per_s: 0 }, '/rate_limit_per_s', 'exclusiveMinimum'],
    [{ ordering: 'lifo' }, '/ordering', 'enum'],
  ])('rejects %j', (patch, path, rule) => {
    expect(errorsOf({ ...token(), ...patch })).toEqual([expect.objectContaining({ path, rule })]);
    expect(errorsOf({ ...fixtures.webhookRequests.userSystemWebhook, ...patch })).toEqual([expect.objectContaining({ path, rule })]);
  });
});

describe('webhooks-service entity', () => {
  const system = () => fixtures.webhookRequests.userSystemWebhook as Record<string, any>;
  const content = () => fixtures.webhookRequests.contentWebhook as Record<string, any>;

  it('accepts events as an array, with blanks and duplicates tolerated in the string form', () => {
    expect(normalized({ ...system(), events: ['stream', 'webhook'] }).events).toEqual(['stream', 'webhook']);
    expect(normalized({ ...system(), events: ' user_account , user_account,stream ' }).events).toEqual(['user_account', 'stream']);
    expect(parseWebhookEvents(undefined)).toEqual([]);
  });

  it('a content webhook may omit the events filter', () => {
    const body = content();
    delete body.events;
    expect(normalized(body)).toMatchObject({ kind: 'content', events: [] });
  });

  it('a system webhook must list events', () => {
    const body = system();
    delete body.events;
    expect(errorsOf(body)).toEqual([
      {
        path: '/events',
        message:
          "must have required property 'events': a webhook without 'object' is a system webhook and lists one or more of: user_account, user_session, user_membership, social_group, stream, webhook",
        rule: 'required',
      },
    ]);
  });

  it('mixing content types and system event types is an error', () => {
    expect(errorsOf({ ...content(), events: 'document,user_account' })).toEqual([
      expect.objectContaining({ path: '/events', rule: 'webhookKind', message: expect.stringContaining('system event types (user_account)') }),
    ]);
    expect(errorsOf({ ...system(), events: 'document,user_account' })).toEqual([
      { path: '/events', message: 'content types (document) cannot be mixed with system event types (user_account)', rule: 'webhookKind' },
    ]);
    expect(errorsOf({ ...system(), events: 'document' })).toEqual([
      expect.objectContaining({ path: '/events', rule: 'enum', message: expect.stringContaining("content types (document) need 'object'") }),
    ]);
  });

  it('rejects malformed events, callbacks and unknown fields by path', () => {
    expect(errorsOf({ ...system(), events: 'user account' })).toEqual([
      { path: '/events', message: 'must be a comma-separated list of event types, e.g. "user_account,user_session"', rule: 'pattern' },
    ]);
    expect(errorsOf({ ...system(), events: [] })).toEqual([{ path: '/events', message: 'must NOT have fewer than 1 items', rule: 'minItems' }]);
    expect(errorsOf({ ...system(), events: 7 })).toEqual([{ path: '/events', message: 'must be string or array', rule: 'type' }]);
    expect(errorsOf({ ...system(), callback: 'ftp://x.example/' })).toEqual([
      { path: '/callback', message: 'must be an http:// or https:// URL', rule: 'pattern' },
    ]);
    expect(errorsOf({ ...system(), auth_type: 'partner_secret_token' })).toEqual([
      { path: '/auth_type', message: "unknown property 'auth_type' is not allowed", rule: 'additionalProperties' },
    ]);
    const noCallback = system();
    delete noCallback.callback;
    expect(errorsOf(noCallback)).toEqual([{ path: '/callback', message: "must have required property 'callback'", rule: 'required' }]);
  });
});

describe('request shape', () => {
  it('endpoint and callback together is an error', () => {
    expect(errorsOf({ ...token(), callback: 'https://x.example/' })).toEqual([expect.objectContaining({ path: '/callback', rule: 'webhookKind' })]);
  });

  it('neither endpoint nor callback names /endpoint and still reports the rest', () => {
    expect(errorsOf({ retry_base: 9 })).toEqual([
      {
        path: '/endpoint',
        message: "must have required property 'endpoint' (notification configuration) or 'callback' (webhooks-service entity)",
        rule: 'required',
      },
      { path: '/retry_base', message: 'must be <= 5', rule: 'maximum' },
    ]);
  });

  it('a non-object body', () => {
    expect(errorsOf('[]')).toEqual([{ path: '', message: 'must be object', rule: 'type' }]);
    expect(errorsOf(null)).toEqual([{ path: '', message: 'must be object', rule: 'type' }]);
  });

  it('does not modify the request body', () => {
    const body = jwt();
    const snapshot = structuredClone(body);
    normalized(body);
    expect(body).toEqual(snapshot);
  });
});

describe('secrets', () => {
  it('lists the secret paths', () => {
    expect(SECRET_FIELD_PATHS).toEqual(['auth_config.token', 'auth_config.client_secret', 'signing_secret']);
  });

  it('redactWebhook masks every secret of a spec or a request and leaves the input alone', () => {
    const spec = normalized({ ...jwt(), signing_secret: SIGNING });
    const redacted = redactWebhook(spec);
    expect(redacted.signing_secret).toBe(REDACTED);
    expect((redacted.auth_config as { client_secret?: string }).client_secret).toBe(REDACTED);
    expect(JSON.stringify(redacted)).not.toContain('k'.repeat(40));
    expect(JSON.stringify(redacted)).not.toContain(jwt().auth_config.client_secret);
    expect(spec.signing_secret).toBe(SIGNING);

    const inline = token();
    inline.auth_config = { token: 'inline-token-value' };
    expect(redactWebhook(inline).auth_config).toEqual({ token: REDACTED });
    expect(redactWebhook(normalized(token()))).toEqual(normalized(token()));
  });
});

describe('Jive delivery tuning (issue 17.3)', () => {
  const system = () => ({ ...fixtures.webhookRequests.userSystemWebhook }) as Record<string, unknown>;
  const content = () => ({ ...fixtures.webhookRequests.contentWebhook }) as Record<string, unknown>;

  // Jive seed, tuning table: "jive.webhooks.consumer.payload_size Number of notifications to include in a single callback. 100"
  // and "jive.webhooks.consumer.callbacks_per_exec Number of callbacks to perform each time the task runs. 3".
  it('content and system webhooks created without tuning fields store payload_size 100 and callbacks_per_exec 3', () => {
    for (const body of [system(), content()]) expect(normalized(body)).toMatchObject({ batch_size: 100, max_in_flight: 3 });
  });

  it('notification webhooks keep one event per call and 10 calls in flight (the notification seed: not batched)', () => {
    expect(normalized(token())).toMatchObject({ batch_size: 1, max_in_flight: 10 });
  });

  it('accepts the seed names payload_size and callbacks_per_exec on the Jive shape; payload_size 1 turns batching off', () => {
    expect(normalized({ ...system(), payload_size: 1, callbacks_per_exec: 7 })).toMatchObject({ batch_size: 1, max_in_flight: 7 });
    expect(normalized({ ...content(), batch_size: 20, max_in_flight: 2 })).toMatchObject({ batch_size: 20, max_in_flight: 2 });
    expect(normalized({ ...content(), batch_size: 20, payload_size: 20 })).toMatchObject({ batch_size: 20 });
    const spec = normalized({ ...system(), payload_size: 5 }) as Record<string, unknown>;
    expect(spec).not.toHaveProperty('payload_size');
    expect(spec).not.toHaveProperty('callbacks_per_exec');
  });

  it.each([
    [{ payload_size: 0 }, '/payload_size', 'minimum'],
    [{ payload_size: 101 }, '/payload_size', 'maximum'],
    [{ callbacks_per_exec: 0 }, '/callbacks_per_exec', 'minimum'],
    [{ callbacks_per_exec: 101 }, '/callbacks_per_exec', 'maximum'],
    [{ payload_size: 5, batch_size: 6 }, '/payload_size', 'oneName'],
    [{ callbacks_per_exec: 2, max_in_flight: 4 }, '/callbacks_per_exec', 'oneName'],
  ])('refuses %j on the Jive shape', (patch, path, rule) => {
    expect(errorsOf({ ...system(), ...patch })).toEqual([expect.objectContaining({ path, rule })]);
  });

  it('the seed names are Jive-shape names: a notification configuration refuses them', () => {
    expect(errorsOf({ ...token(), payload_size: 5 })).toEqual([expect.objectContaining({ path: '/payload_size', rule: 'additionalProperties' })]);
  });
});
