import { randomBytes, randomUUID } from 'node:crypto';
import { createDeliveryJob, encodeDeliveryJobRecord, fixtures, normalizeWebhookRequest, type DeliveryJob, type WebhookSpec } from '@hookstream/schemas';
import { SecretBox, type Knex } from '@hookstream/service-kit';
import { createTenant, insertWebhook as storeWebhook, putTenantSecret, sealWebhookSecrets, type WebhookSecrets } from '@hookstream/store';
import { createTestDatabase, createTestKafka, startApp, type AppProcess, type TestDatabase, type TestKafka } from '@hookstream/test-kit';

export const SECRET_KEY = randomBytes(32).toString('base64');
export const box = new SecretBox(SECRET_KEY);

export interface Harness {
  pg: TestDatabase;
  kafka: TestKafka;
  tenantId: string;
  /** Workers started so far, in order. */
  workers: AppProcess[];
  startWorker(env?: Record<string, string>): Promise<AppProcess>;
  close(): Promise<void>;
}

export async function createHarness(): Promise<Harness> {
  const [pg, kafka] = await Promise.all([createTestDatabase(), createTestKafka({ partitions: 2 })]);
  const tenantId = await insertTenant(pg.db);
  const workers: AppProcess[] = [];
  return {
    pg,
    kafka,
    tenantId,
    workers,
    async startWorker(env = {}) {
      const app = await startApp('delivery-worker', {
        env: {
          DATABASE_URL: pg.url,
          KAFKA_TOPIC_PREFIX: kafka.prefix,
          HOOKSTREAM_SECRET_KEY: SECRET_KEY,
          HOOKSTREAM_ALLOW_PRIVATE_ENDPOINTS: 'true',
          TOPIC_PARTITIONS_EVENTS: '2',
          TOPIC_PARTITIONS_DELIVERIES: '2',
          TOPIC_PARTITIONS_RETRY: '2',
          TOPIC_PARTITIONS_DLQ: '1',
          CONSUMER_SESSION_TIMEOUT_MS: '6000',
          CONSUMER_HEARTBEAT_INTERVAL_MS: '500',
          SHUTDOWN_TIMEOUT_MS: '8000',
          ...env,
        },
      });
      workers.push(app);
      return app;
    },
    async close() {
      await Promise.all(workers.map((w) => w.stop('SIGKILL').catch(() => undefined)));
      await Promise.all([pg.drop(), kafka.close()]);
    },
  };
}

export async function insertTenant(db: Knex): Promise<string> {
  const tenant = await createTenant(db, 'Daily Herald', { api_key_hash: randomBytes(16).toString('hex'), api_key_hint: 'test' });
  return tenant.id;
}

/**
 * Stores a webhook as the gateway does: normalized spec without secrets, secrets sealed.
 * `request` is a fixture request (the seeds' examples); `overrides` adjust the normalized spec
 * (a local http endpoint, test timeouts).
 */
export async function insertWebhook(
  db: Knex,
  tenantId: string,
  request: Record<string, unknown>,
  overrides: Record<string, unknown> = {},
  extraSecrets: WebhookSecrets = {},
): Promise<{ id: string; spec: WebhookSpec }> {
  const normalized = normalizeWebhookRequest(request);
  if (!normalized.ok) throw new Error(`fixture does not normalize: ${JSON.stringify(normalized.errors)}`);
  const spec = { ...normalized.value, ...overrides } as WebhookSpec & { signing_secret?: string };
  const auth = { ...(spec.auth_config as Record<string, unknown>) };
  const secrets: WebhookSecrets = { ...extraSecrets };
  if (typeof auth.token === 'string') secrets.token = auth.token;
  if (typeof auth.client_secret === 'string') secrets.client_secret = auth.client_secret;
  if (spec.signing_secret) secrets.signing_secret = spec.signing_secret;
  delete auth.token;
  delete auth.client_secret;
  delete spec.signing_secret;
  (spec as { auth_config: unknown }).auth_config = auth;
  const id = randomUUID();
  const stored = await storeWebhook(db, tenantId, id, {
    kind: spec.kind,
    enabled: spec.enabled,
    object: spec.object ?? null,
    spec,
    secretsEnc: sealWebhookSecrets(box, id, secrets),
    fingerprint: id,
  });
  if (!stored) throw new Error(`webhook ${id} was not stored`);
  return { id, spec };
}

export async function putSecret(db: Knex, tenantId: string, name: string, value: string): Promise<void> {
  await putTenantSecret(db, box, tenantId, name, value);
}

export function job(tenantId: string, webhookId: string, type = 'replied-message', overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  const eventId = randomUUID();
  return {
    ...createDeliveryJob({ event_id: eventId, tenant_id: tenantId, webhook_id: webhookId, event_type: type, body: fixtures.deliveredBody(type, eventId) }),
    ...overrides,
  };
}

export async function produceJobs(kafka: TestKafka, jobs: DeliveryJob[]): Promise<number> {
  const at = Date.now();
  await kafka.publish(
    kafka.topics.deliveries,
    jobs.map((j) => encodeDeliveryJobRecord(j)),
  );
  return at;
}

export { deliveryRow, attemptRowsOf as attemptRows } from '@hookstream/store/testing';
