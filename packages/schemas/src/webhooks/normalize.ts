import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { validate } from '../validation.js';
import type { ValidationError, ValidationResult } from '../validation.js';
import { canonicalNotificationType } from '../events/notification.js';
import type { NotificationType } from '../events/notification.js';
import { isSystemCategory, SYSTEM_CATEGORIES } from '../events/activity.js';
import { DEFAULT_CLIENT_ASSERTION_TYPE, DEFAULT_GRANT_TYPE, DEFAULT_TOKEN_HEADER } from './auth.js';
import type { JwtAuthConfig, TokenAuthConfig } from './auth.js';
import { headerNameProblem } from './header-names.js';
import { signingSecretProblem } from './signing-secret.js';
import { checkFilter } from '../filters/filter.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_JIVE_CALLBACKS_PER_EXEC, DEFAULT_JIVE_PAYLOAD_SIZE, DEFAULT_MAX_IN_FLIGHT, DEFAULT_TIMEOUT_MS } from './extensions.js';
import { DEFAULT_RETRY_BASE, DEFAULT_RETRY_MAX_COUNT, NotificationConfigSchema } from './notification-config.js';
import type { NotificationConfig } from './notification-config.js';
import { WebhookEntitySchema } from './service-entity.js';
import type { WebhookEntity } from './service-entity.js';
import type { WebhookSpec } from './spec.js';

type Extensions = Pick<
  WebhookSpec,
  | 'signing_secret'
  | 'signature_scheme'
  | 'batch_size'
  | 'timeout_ms'
  | 'max_in_flight'
  | 'rate_limit_per_s'
  | 'description'
  | 'transform'
  | 'ordering'
  | 'filter'
>;

const NOTIFICATION_TUNING = { batch_size: DEFAULT_BATCH_SIZE, max_in_flight: DEFAULT_MAX_IN_FLIGHT };
const JIVE_TUNING = { batch_size: DEFAULT_JIVE_PAYLOAD_SIZE, max_in_flight: DEFAULT_JIVE_CALLBACKS_PER_EXEC };

function extensions(input: NotificationConfig | WebhookEntity, defaults: typeof NOTIFICATION_TUNING): Extensions {
  const out: Extensions = {
    batch_size: input.batch_size ?? defaults.batch_size,
    timeout_ms: input.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    max_in_flight: input.max_in_flight ?? defaults.max_in_flight,
  };
  if (input.signing_secret !== undefined) out.signing_secret = input.signing_secret;
  if (input.signature_scheme !== undefined) out.signature_scheme = input.signature_scheme;
  if (input.rate_limit_per_s !== undefined) out.rate_limit_per_s = input.rate_limit_per_s;
  if (input.description !== undefined) out.description = input.description;
  if (input.transform !== undefined) out.transform = input.transform;
  if (input.ordering !== undefined) out.ordering = input.ordering;
  if (input.filter !== undefined) out.filter = input.filter;
  return out;
}

function canonicalList(names: readonly string[] | undefined): NotificationType[] {
  const out: NotificationType[] = [];
  for (const name of names ?? []) {
    const canonical = canonicalNotificationType(name);
    if (canonical && !out.includes(canonical)) out.push(canonical);
  }
  return out;
}

const noNotificationEvents = (): WebhookSpec['registered_events'] => ({ email: [], 'in-app': [] });

function authOf(config: NotificationConfig): Pick<WebhookSpec, 'auth_type' | 'auth_config'> {
  if (config.auth_type === 'partner_secret_token') {
    const auth = config.auth_config as TokenAuthConfig;
    return {
      auth_type: 'partner_secret_token',
      auth_config: {
        ...(auth.token !== undefined ? { token: auth.token } : {}),
        ...(auth.secret_name !== undefined ? { secret_name: auth.secret_name } : {}),
        header_name: auth.header_name ?? DEFAULT_TOKEN_HEADER,
      },
    } as Pick<WebhookSpec, 'auth_type' | 'auth_config'>;
  }
  if (config.auth_type === 'client_secret_jwt') {
    const auth = config.auth_config as JwtAuthConfig;
    return {
      auth_type: 'client_secret_jwt',
      auth_config: {
        client_id: auth.client_id,
        ...(auth.client_secret !== undefined ? { client_secret: auth.client_secret } : {}),
        ...(auth.secret_name !== undefined ? { secret_name: auth.secret_name } : {}),
        client_assertion_type: auth.client_assertion_type ?? DEFAULT_CLIENT_ASSERTION_TYPE,
        audience: auth.audience,
        token_uri: auth.token_uri,
        grant_type: auth.grant_type ?? DEFAULT_GRANT_TYPE,
        extra_grants: { ...(auth.extra_grants ?? {}) } as Record<string, string>,
      },
    } as Pick<WebhookSpec, 'auth_type' | 'auth_config'>;
  }
  return { auth_type: 'none', auth_config: {} } as Pick<WebhookSpec, 'auth_type' | 'auth_config'>;
}

function fromNotificationConfig(config: NotificationConfig): WebhookSpec {
  return {
    kind: 'notification',
    endpoint: config.endpoint,
    enabled: config.enabled ?? true,
    ...(config.spot_id !== undefined ? { spot_id: config.spot_id } : {}),
    ...authOf(config),
    retry_base: config.retry_base ?? DEFAULT_RETRY_BASE,
    retry_max_count: config.retry_max_count ?? DEFAULT_RETRY_MAX_COUNT,
    registered_events: {
      email: canonicalList(config.registered_events?.email),
      'in-app': canonicalList(config.registered_events?.['in-app']),
    },
    events: [],
    ...extensions(config, NOTIFICATION_TUNING),
  } as WebhookSpec;
}

/** `events` as a list: the comma-separated string form is split, blanks dropped, duplicates merged. */
export function parseWebhookEvents(events: string | readonly string[] | undefined): string[] {
  const list = typeof events === 'string' ? events.split(',') : (events ?? []);
  const out: string[] = [];
  for (const raw of list) {
    const token = raw.trim();
    if (token && !out.includes(token)) out.push(token);
  }
  return out;
}

function fromWebhookEntity(entity: WebhookEntity): ValidationResult<WebhookSpec> {
  const events = parseWebhookEvents(entity.events);
  const system = events.filter(isSystemCategory);
  const content = events.filter((e) => !isSystemCategory(e));
  const errors: ValidationError[] = [];
  if (entity.object !== undefined && system.length > 0) {
    errors.push({
      path: '/events',
      message: `system event types (${system.join(', ')}) cannot be combined with 'object': a webhook with an object is a content webhook and its events are content types`,
      rule: 'webhookKind',
    });
  } else if (entity.object === undefined && content.length > 0) {
    errors.push({
      path: '/events',
      message:
        system.length > 0
          ? `content types (${content.join(', ')}) cannot be mixed with system event types (${system.join(', ')})`
          : `must be system event types (${SYSTEM_CATEGORIES.join(', ')}); content types (${content.join(', ')}) need 'object'`,
      rule: system.length > 0 ? 'webhookKind' : 'enum',
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      kind: entity.object !== undefined ? 'content' : 'system',
      endpoint: entity.callback,
      enabled: entity.enabled ?? true,
      auth_type: 'none',
      auth_config: {},
      retry_base: DEFAULT_RETRY_BASE,
      retry_max_count: DEFAULT_RETRY_MAX_COUNT,
      registered_events: noNotificationEvents(),
      events,
      ...(entity.object !== undefined ? { object: entity.object } : {}),
      ...extensions(
        {
          ...entity,
          ...(entity.payload_size !== undefined ? { batch_size: entity.payload_size } : {}),
          ...(entity.callbacks_per_exec !== undefined ? { max_in_flight: entity.callbacks_per_exec } : {}),
        },
        JIVE_TUNING,
      ),
    },
  };
}

/**
 * Rules a schema cannot express: the tenant-chosen token header must not be one hookstream or
 * HTTP owns, and a signing secret must decode as the Standard Webhooks libraries read it.
 */
function inputRuleErrors(input: NotificationConfig | WebhookEntity): ValidationError[] {
  const errors: ValidationError[] = [];
  if (typeof input.signing_secret === 'string') {
    const problem = signingSecretProblem(input.signing_secret);
    if (problem) errors.push({ path: '/signing_secret', message: problem, rule: 'signingSecret' });
    if (input.signature_scheme === 'ed25519')
      errors.push({
        path: '/signing_secret',
        message: "a whsec_ secret is an HMAC key; with signature_scheme 'ed25519' hookstream generates the key pair: leave signing_secret out",
        rule: 'signingScheme',
      });
  }
  if (input.signing === false && (input.signature_scheme === 'ed25519' || input.signing_secret !== undefined))
    errors.push({
      path: '/signing',
      message: 'signing: false contradicts signing_secret / signature_scheme ed25519: leave one of them out',
      rule: 'signingScheme',
    });
  if (input.filter !== undefined) errors.push(...checkFilter(input.filter, '/filter'));
  const config = input as NotificationConfig;
  const headerName = config.auth_type === 'partner_secret_token' ? (config.auth_config as TokenAuthConfig | undefined)?.header_name : undefined;
  if (typeof headerName === 'string') {
    // The token type exists to send one credential header, so it may be `authorization`.
    const problem = headerNameProblem(headerName, { allowAuthorization: true });
    if (problem) errors.push({ path: '/auth_config/header_name', message: problem, rule: 'headerName' });
  }
  const entity = input as WebhookEntity;
  for (const [seedName, name] of [
    ['payload_size', 'batch_size'],
    ['callbacks_per_exec', 'max_in_flight'],
  ] as const) {
    // Equal values are accepted, so a body read back with both names can be sent again.
    if (entity[seedName] !== undefined && entity[name] !== undefined && entity[seedName] !== entity[name]) {
      errors.push({ path: `/${seedName}`, message: `'${seedName}' is the seed's name of '${name}': they differ, give one of them`, rule: 'oneName' });
    }
  }
  return errors;
}

function explainMissingEvents(e: ValidationError): ValidationError {
  if (e.path !== '/events' || e.rule !== 'required') return e;
  return {
    ...e,
    message: `must have required property 'events': a webhook without 'object' is a system webhook and lists one or more of: ${SYSTEM_CATEGORIES.join(', ')}`,
  };
}

/**
 * Validates a webhook registration in either accepted shape and returns its normalized spec.
 * A body with `endpoint` is a notification configuration; one with `callback` (or, when the
 * callback is missing, with `events` / `object`) is a webhooks-service entity. Errors name JSON Pointer paths into the request body.
 */
export function normalizeWebhookRequest(body: unknown): ValidationResult<WebhookSpec> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ path: '', message: 'must be object', rule: 'type' }] };
  }
  const hasEndpoint = Object.prototype.hasOwnProperty.call(body, 'endpoint');
  const hasCallback = Object.prototype.hasOwnProperty.call(body, 'callback');
  if (hasEndpoint && hasCallback) {
    return {
      ok: false,
      errors: [
        {
          path: '/callback',
          message: "'callback' (webhooks-service entity) cannot be combined with 'endpoint' (notification configuration)",
          rule: 'webhookKind',
        },
      ],
    };
  }
  // `events` and `object` exist only in the entity shape: such a body is an entity missing its callback.
  const looksLikeEntity = hasCallback || (!hasEndpoint && ['events', 'object'].some((k) => Object.prototype.hasOwnProperty.call(body, k)));
  if (looksLikeEntity) {
    const entity = validate(WebhookEntitySchema, body);
    if (entity.ok) {
      const errors = inputRuleErrors(entity.value);
      return errors.length > 0 ? { ok: false, errors } : fromWebhookEntity(entity.value);
    }
    return { ok: false, errors: entity.errors.map(explainMissingEvents) };
  }
  if (!hasEndpoint) {
    // Validate as a notification configuration anyway, so every other problem is reported too.
    const config = validate(NotificationConfigSchema, body);
    const errors = config.ok ? [] : config.errors.filter((e) => e.path !== '/endpoint');
    return {
      ok: false,
      errors: [
        {
          path: '/endpoint',
          message: "must have required property 'endpoint' (notification configuration) or 'callback' (webhooks-service entity)",
          rule: 'required',
        },
        ...errors,
      ],
    };
  }
  const config = validate(NotificationConfigSchema, body);
  if (!config.ok) return config;
  const errors = inputRuleErrors(config.value);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: fromNotificationConfig(config.value) };
}

/** Either accepted request shape (told apart by `endpoint` vs `callback`). */
export const WebhookRequestSchema = Type.Union([NotificationConfigSchema, WebhookEntitySchema], { title: 'WebhookRequest' });
export type WebhookRequest = Static<typeof WebhookRequestSchema>;
