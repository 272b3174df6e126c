import { randomUUID } from 'node:crypto';
import { DEFAULT_ROTATION_GRACE_S, normalizeWebhookRequest, type SignatureScheme, type WebhookLifecycleVerb, type WebhookSpec } from '@hookstream/schemas';
import type { SecretBox } from '@hookstream/service-kit';
import { openWebhookSecrets, sealWebhookSecrets, type PartnerScope, type WebhookRow, type WebhookSecrets, type WebhookWrite } from '@hookstream/store';
import { Conflict, InvalidInput, NotFound, type ErrorDetail } from '../domain/errors.js';
import { webhookFingerprint } from './fingerprint.js';
import { presentWebhook, type SecretFlags } from './present.js';
import { newSigningKey, schemeOfKey, shownKey, signingAnswer } from './signing-keys.js';
import { keepStoredTuning } from './tuning-on-update.js';
import { compileTransformAt } from './transform-check.js';
import { endpointUrlProblem, type UrlPolicy } from './url-policy.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

/** Fields of the resource a client may send back in a PUT; they are read-only and ignored. */
const READ_ONLY_FIELDS = [
  'id',
  'kind',
  'disabled_reason',
  'buggy',
  'consecutive_failures',
  'marked_buggy_at',
  'uri',
  'resources',
  'created_at',
  'updated_at',
  'has_signing_secret',
];

/**
 * What the service needs of the webhooks table and the tenant's secret names
 * (webhookStoreOf(db) binds the @hookstream/store functions).
 */
export interface WebhookStore {
  /** Runs `work` in one transaction with a store bound to it: all of it is kept, or none. */
  transaction<T>(work: (tx: WebhookStore) => Promise<T>): Promise<T>;
  /** undefined when the tenant already has a webhook with the same fingerprint. */
  insert(tenantId: string, id: string, w: WebhookWrite): Promise<WebhookRow | undefined>;
  idByFingerprint(tenantId: string, fingerprint: string, exceptId?: string): Promise<string | undefined>;
  get(tenantId: string, id: string): Promise<WebhookRow | undefined>;
  /** Reads and locks the row until the transaction ends. */
  lock(tenantId: string, id: string): Promise<WebhookRow | undefined>;
  list(
    tenantId: string,
    opts: { objects?: string[] | undefined; buggy?: boolean | undefined; partnerScope?: PartnerScope | undefined; offset: number; limit: number },
  ): Promise<WebhookRow[]>;
  /** Throws an error with code 23505 when another webhook of the tenant has the new fingerprint. */
  replace(tenantId: string, id: string, w: WebhookWrite): Promise<WebhookRow | undefined>;
  setEnabled(id: string, enabled: boolean): Promise<WebhookRow | undefined>;
  /** Enables and clears the buggy state and failure count. */
  reenable(id: string): Promise<WebhookRow | undefined>;
  remove(tenantId: string, id: string): Promise<boolean>;
  /** Replaces the sealed secrets only (a signing key rotation), bumping the revision. */
  replaceSecrets(id: string, secretsEnc: string | null): Promise<WebhookRow | undefined>;
  secretExists(tenantId: string, name: string): Promise<boolean>;
  /**
   * The tenant's own webhook limit (null: the default) and its number of webhooks, with the
   * tenant locked until the transaction ends so concurrent creates count one after another.
   */
  lockWebhookQuota(tenantId: string): Promise<{ limit: number | null; count: number }>;
}

/** Webhooks a tenant may have unless the operator set its own limit (TENANT_WEBHOOK_LIMIT). */
export const DEFAULT_TENANT_WEBHOOK_LIMIT = 1000;

/** Where the webhook system events go (LifecyclePublisher); a refusal must throw. */
export interface WebhookEvents {
  publish(tenantId: string, webhookId: string, verbs: WebhookLifecycleVerb[]): Promise<void>;
}

/** Queues again what a webhook skipped while buggy (SkippedRecovery); resolves to how many were queued. */
export interface SkippedDeliveries {
  recover(tenantId: string, webhookId: string, since: Date, webhookRevision: number): Promise<number>;
}

/** A re-enabled webhook and the number of its skipped deliveries queued again. */
export interface Reenabled {
  row: WebhookRow;
  recovered: number;
}

interface Prepared {
  spec: WebhookSpec;
  secrets: WebhookSecrets;
  fingerprint: string;
  /** The scheme of a signing key hookstream must generate (`signing: true` or ed25519 without a secret). */
  generate?: SignatureScheme;
}

/** A created or replaced webhook's row, with the signing key generated for it (shown this once). */
export type Saved = WebhookRow & { shownSigningKey?: Record<string, unknown> };

/** The control plane of webhooks: validation, secrets, persistence and lifecycle events. */
export class WebhookService {
  constructor(
    private readonly store: WebhookStore,
    private readonly box: SecretBox,
    private readonly lifecycle: WebhookEvents,
    private readonly policy: UrlPolicy,
    private readonly publicUrl: string,
    private readonly defaultWebhookLimit = DEFAULT_TENANT_WEBHOOK_LIMIT,
    /** Without it, re-enabling a buggy webhook recovers nothing (unit tests of the control plane). */
    private readonly recovery?: SkippedDeliveries,
  ) {}

  present(row: WebhookRow): Record<string, unknown> {
    return presentWebhook(row, this.publicUrl, this.secretFlags(row));
  }

  private secretFlags(row: WebhookRow): SecretFlags {
    const s = openWebhookSecrets(this.box, row.id, row.secrets_enc);
    return { token: Boolean(s.token), client_secret: Boolean(s.client_secret), signing_secret: Boolean(s.signing_secret) };
  }

  /** Validates a request body in either accepted shape and splits the secrets off the spec. */
  async prepare(tenantId: string, body: unknown): Promise<Prepared> {
    const normalized = normalizeWebhookRequest(body);
    if (!normalized.ok) throw new InvalidInput('invalid webhook', normalized.errors);
    const spec = structuredClone(normalized.value) as WebhookSpec & Record<string, unknown>;
    const errors: ErrorDetail[] = [];
    const endpointPath = typeof body === 'object' && body !== null && 'callback' in body ? '/callback' : '/endpoint';
    const endpointProblem = endpointUrlProblem(spec.endpoint, this.policy);
    if (endpointProblem) errors.push({ path: endpointPath, message: endpointProblem, rule: 'endpointPolicy' });
    const auth = spec.auth_config as Record<string, unknown>;
    if (typeof auth.token_uri === 'string') {
      const problem = endpointUrlProblem(auth.token_uri, this.policy);
      if (problem) errors.push({ path: '/auth_config/token_uri', message: problem, rule: 'endpointPolicy' });
    }
    if (typeof auth.secret_name === 'string' && !(await this.store.secretExists(tenantId, auth.secret_name))) {
      errors.push({
        path: '/auth_config/secret_name',
        message: `no secret named ${JSON.stringify(auth.secret_name)} in this tenant's secret store; create it first with PUT /v1/secrets/{name}`,
        rule: 'secretExists',
      });
    }
    if (typeof spec.transform === 'string') {
      // Compiled here so a broken expression is a 400 now, not a discarded delivery later.
      const checked = compileTransformAt(spec.transform, '/transform');
      if ('error' in checked) errors.push(checked.error);
    }
    if (errors.length) throw new InvalidInput('invalid webhook', errors);
    const secrets: WebhookSecrets = {};
    if (typeof auth.token === 'string') secrets.token = auth.token;
    if (typeof auth.client_secret === 'string') secrets.client_secret = auth.client_secret;
    if (typeof spec.signing_secret === 'string') secrets.signing_secret = spec.signing_secret;
    delete auth.token;
    delete auth.client_secret;
    delete spec.signing_secret;
    // Signing is opt-in (`signing: true`, or the ed25519 scheme): a webhook created without it
    // behaves as before, so existing clients and receivers see no new header.
    const wantsSigning = (body as Record<string, unknown>).signing === true || spec.signature_scheme === 'ed25519';
    const generate = !secrets.signing_secret && wantsSigning ? (spec.signature_scheme ?? 'hmac-sha256') : undefined;
    return { spec, secrets, fingerprint: webhookFingerprint(spec), ...(generate ? { generate } : {}) };
  }

  /** Fills in the generated signing key; the answer shows it once (an Ed25519 key as its public half). */
  private withGeneratedKey(prepared: Prepared): Record<string, unknown> | undefined {
    if (!prepared.generate) return undefined;
    prepared.secrets.signing_secret = newSigningKey(prepared.generate);
    return shownKey(prepared.secrets.signing_secret);
  }

  /** `partner`: the label of the portal session creating it (webhooks.partner). */
  async create(tenantId: string, body: unknown, opts: { partner?: string } = {}): Promise<Saved> {
    const prepared = await this.prepare(tenantId, body);
    const { spec, secrets, fingerprint } = prepared;
    const shown = this.withGeneratedKey(prepared);
    const id = randomUUID();
    return this.store.transaction(async (tx) => {
      const quota = await tx.lockWebhookQuota(tenantId);
      const limit = quota.limit ?? this.defaultWebhookLimit;
      // 409 like a duplicate: the request is valid but conflicts with the tenant's current state,
      // and deleting a webhook (or a higher limit from the operator) resolves it.
      if (quota.count >= limit) {
        throw new Conflict(`this tenant has reached its limit of ${limit} webhooks: delete one, or ask the operator to raise the limit`);
      }
      const row = await tx.insert(tenantId, id, {
        kind: spec.kind,
        enabled: spec.enabled,
        object: spec.object ?? null,
        spec,
        secretsEnc: sealWebhookSecrets(this.box, id, secrets),
        fingerprint,
        ...(opts.partner ? { partner: opts.partner } : {}),
      });
      // A portal session is not told the id of a webhook it may not see.
      if (!row)
        throw opts.partner
          ? new Conflict('an identical webhook already exists: same endpoint and subscriptions')
          : await this.conflict(tx, tenantId, fingerprint);
      // Published before commit: if the broker refuses, nothing changed.
      await this.lifecycle.publish(tenantId, id, ['jive:webhook_created']);
      return shown ? { ...row, shownSigningKey: shown } : row;
    });
  }

  private async conflict(store: WebhookStore, tenantId: string, fingerprint: string, except?: string): Promise<Conflict> {
    const existing = await store.idByFingerprint(tenantId, fingerprint, except);
    return new Conflict(`an identical webhook already exists${existing ? ` (${existing})` : ''}: same endpoint and subscriptions`);
  }

  async get(tenantId: string, id: string): Promise<WebhookRow> {
    if (!isUuid(id)) throw new NotFound('webhook');
    const row = await this.store.get(tenantId, id);
    if (!row) throw new NotFound('webhook');
    return row;
  }

  async list(
    tenantId: string,
    opts: { startIndex: number; count: number; objects?: string[]; buggy?: boolean; partnerScope?: PartnerScope },
  ): Promise<WebhookRow[]> {
    return this.store.list(tenantId, {
      objects: opts.objects,
      buggy: opts.buggy,
      partnerScope: opts.partnerScope,
      offset: opts.startIndex,
      limit: opts.count + 1,
    });
  }

  /**
   * PUT: a body of only `enabled` switches the webhook on or off; any other body is a full
   * replacement in either request shape (secrets must be sent again: they are never returned).
   */
  async update(tenantId: string, id: string, body: unknown): Promise<Saved> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new InvalidInput('invalid webhook', [{ path: '', message: 'must be object', rule: 'type' }]);
    const input = { ...(body as Record<string, unknown>) };
    for (const f of READ_ONLY_FIELDS) delete input[f];
    const keys = Object.keys(input);
    if (keys.length === 1 && keys[0] === 'enabled') {
      if (typeof input.enabled !== 'boolean') throw new InvalidInput('invalid webhook', [{ path: '/enabled', message: 'must be boolean', rule: 'type' }]);
      // A buggy webhook reads `enabled: false`: switching it on is the re-enable, recovery included.
      if (input.enabled && (await this.get(tenantId, id)).buggy) return (await this.reenable(tenantId, id)).row;
      return this.setEnabled(tenantId, id, input.enabled);
    }
    await this.get(tenantId, id);
    const prepared = await this.prepare(tenantId, input);
    const { spec, secrets, fingerprint } = prepared;
    return this.store.transaction(async (tx) => {
      const before = await tx.lock(tenantId, id);
      if (!before) throw new NotFound('webhook');
      // A replacement that does not mention `enabled` keeps the current state. A buggy webhook
      // reads `enabled: false`: a client sending back what it read keeps the stored switch (#17.4).
      if (!('enabled' in input) || (before.buggy && input.enabled === false)) spec.enabled = before.enabled;
      keepStoredTuning(spec, before.spec as WebhookSpec, input);
      let shown: Record<string, unknown> | undefined;
      if (prepared.generate) {
        // `signing: true` again keeps the generated key of the same scheme (and a rotation's
        // previous key): replacing the configuration must not break every receiver's verification.
        const kept = openWebhookSecrets(this.box, id, before.secrets_enc);
        if (kept.signing_secret && schemeOfKey(kept.signing_secret) === prepared.generate) {
          secrets.signing_secret = kept.signing_secret;
          if (kept.previous_signing_secret) secrets.previous_signing_secret = kept.previous_signing_secret;
          if (kept.previous_signing_expires_at) secrets.previous_signing_expires_at = kept.previous_signing_expires_at;
        } else shown = this.withGeneratedKey(prepared);
      }
      let row: WebhookRow | undefined;
      try {
        row = await tx.replace(tenantId, id, {
          kind: spec.kind,
          enabled: spec.enabled,
          object: spec.object ?? null,
          spec,
          secretsEnc: sealWebhookSecrets(this.box, id, secrets),
          fingerprint,
        });
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw await this.conflict(this.store, tenantId, fingerprint, id);
        throw e;
      }
      if (!row) throw new NotFound('webhook');
      await this.lifecycle.publish(tenantId, id, enabledVerbs(before.enabled, row.enabled));
      return shown ? { ...row, shownSigningKey: shown } : row;
    });
  }

  /**
   * The webhook's current signing key as partners need it (an HMAC secret, or an Ed25519 public
   * key), and when a rotation's previous key stops signing.
   */
  async signingSecret(tenantId: string, id: string): Promise<Record<string, unknown>> {
    const row = await this.get(tenantId, id);
    const secrets = openWebhookSecrets(this.box, id, row.secrets_enc);
    if (!secrets.signing_secret) throw new NotFound('signing secret', NOT_SIGNING);
    return signingAnswer({ ...secrets, signing_secret: secrets.signing_secret });
  }

  /**
   * Replaces the signing key with a new one of the same scheme. The old key keeps signing next
   * to it for `graceS` seconds (every delivery then carries both signatures), so receivers can
   * switch without one delivery failing verification; a rotation during a grace period ends the
   * older key at once (one previous key at a time).
   */
  async rotateSigningSecret(tenantId: string, id: string, graceS = DEFAULT_ROTATION_GRACE_S): Promise<Record<string, unknown>> {
    if (!isUuid(id)) throw new NotFound('webhook');
    return this.store.transaction(async (tx) => {
      const before = await tx.lock(tenantId, id);
      if (!before) throw new NotFound('webhook');
      const secrets = openWebhookSecrets(this.box, id, before.secrets_enc);
      const current = secrets.signing_secret;
      if (!current) throw new Conflict(NOT_SIGNING);
      const now = Date.now();
      const next: WebhookSecrets & { signing_secret: string } = { ...secrets, signing_secret: newSigningKey(schemeOfKey(current)) };
      delete next.previous_signing_secret;
      delete next.previous_signing_expires_at;
      if (graceS > 0) {
        next.previous_signing_secret = current;
        next.previous_signing_expires_at = new Date(now + graceS * 1000).toISOString();
      }
      await tx.replaceSecrets(id, sealWebhookSecrets(this.box, id, next));
      await this.lifecycle.publish(tenantId, id, ['jive:webhook_secret_rotated']);
      return signingAnswer(next, now);
    });
  }

  private async setEnabled(tenantId: string, id: string, enabled: boolean): Promise<WebhookRow> {
    if (!isUuid(id)) throw new NotFound('webhook');
    return this.store.transaction(async (tx) => {
      const before = await tx.lock(tenantId, id);
      if (!before) throw new NotFound('webhook');
      if (before.enabled === enabled) return before;
      const row = await tx.setEnabled(id, enabled);
      await this.lifecycle.publish(tenantId, id, enabledVerbs(before.enabled, enabled));
      return row!;
    });
  }

  /** Re-enables a disabled or buggy webhook; a no-op (no event) when it is enabled and healthy. */
  async enable(tenantId: string, id: string): Promise<WebhookRow> {
    return (await this.reenable(tenantId, id)).row;
  }

  /**
   * Re-enables a disabled or buggy webhook and, unless `recover` is false, queues again the
   * deliveries it skipped while buggy (#17.4), after the commit so the worker delivers them.
   * What was skipped while merely disabled (by its owner, or by a 410 from the endpoint) stays
   * skipped: the owner chose not to receive it.
   */
  async reenable(tenantId: string, id: string, opts: { recover?: boolean } = {}): Promise<Reenabled> {
    if (!isUuid(id)) throw new NotFound('webhook');
    const { before, row } = await this.store.transaction(async (tx) => {
      const before = await tx.lock(tenantId, id);
      if (!before) throw new NotFound('webhook');
      if (before.enabled && !before.buggy) return { before, row: before };
      const row = await tx.reenable(id);
      const verbs: WebhookLifecycleVerb[] = [];
      if (!before.enabled) verbs.push('jive:webhook_enabled');
      if (before.buggy) verbs.push('jive:webhook_marked_not_buggy');
      await this.lifecycle.publish(tenantId, id, verbs);
      return { before, row: row! };
    });
    if (!before.buggy || opts.recover === false || !this.recovery) return { row, recovered: 0 };
    const since = before.marked_buggy_at ? new Date(before.marked_buggy_at) : new Date(0);
    return { row, recovered: await this.recovery.recover(tenantId, id, since, Number(row.revision)) };
  }

  async remove(tenantId: string, id: string): Promise<void> {
    if (!isUuid(id)) throw new NotFound('webhook');
    await this.store.transaction(async (tx) => {
      if (!(await tx.remove(tenantId, id))) throw new NotFound('webhook');
      await this.lifecycle.publish(tenantId, id, ['jive:webhook_deleted']);
    });
  }
}

const NOT_SIGNING = 'this webhook does not sign its deliveries: replace it with "signing": true (or a signing_secret) first';

function enabledVerbs(before: boolean, after: boolean): WebhookLifecycleVerb[] {
  if (before === after) return [];
  return [after ? 'jive:webhook_enabled' : 'jive:webhook_disabled'];
}
