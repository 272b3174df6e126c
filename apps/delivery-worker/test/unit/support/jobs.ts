import type { DeliveryJob } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import type { KafkaMessage } from 'kafkajs';

export const TENANT = '7d3f2c1a-0b5e-4c8d-9a6f-1e2d3c4b5a69';
export const WEBHOOK = '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

let n = 0;

/** A valid first-attempt job; every call gets its own delivery id. */
export function aJob(overrides: Partial<DeliveryJob> = {}): DeliveryJob {
  n++;
  return {
    v: 1,
    delivery_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    event_id: `evt-${n}`,
    tenant_id: TENANT,
    webhook_id: WEBHOOK,
    event_type: 'message.replied',
    attempt: 1,
    created_at: new Date(0).toISOString(),
    body: { n },
    ...overrides,
  };
}

export function aWebhook(overrides: Partial<WebhookRecord> = {}, spec: Partial<WebhookRecord['spec']> = {}): WebhookRecord {
  return {
    id: WEBHOOK,
    tenantId: TENANT,
    kind: 'notification',
    enabled: true,
    buggy: false,
    object: null,
    spec: {
      kind: 'notification',
      endpoint: 'https://partner.example/hook',
      enabled: true,
      retry_base: 2,
      retry_max_count: 3,
      registered_events: { email: [], 'in-app': [] },
      events: [],
      batch_size: 1,
      timeout_ms: 5000,
      max_in_flight: 10,
      auth_type: 'none',
      auth_config: {},
      ...spec,
    } as WebhookRecord['spec'],
    secretsEnc: null,
    fingerprint: 'f',
    consecutiveFailures: 0,
    markedBuggyAt: null,
    revision: 1,
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...overrides,
  };
}

/** A Kafka message carrying `value` (a job is JSON-encoded), enqueued at `timestamp`. */
export function aMessage(value: unknown, offset = '0', timestamp = 0): KafkaMessage {
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  return { key: null, value: Buffer.from(raw), offset, timestamp: String(timestamp), attributes: 0, headers: {} } as KafkaMessage;
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

/** A logger that keeps what it was told, for assertions. */
export function recordingLogger() {
  const lines: { level: string; msg: string; fields: unknown }[] = [];
  const at =
    (level: string) =>
    (fields: unknown, msg?: string): void => {
      lines.push({ level, msg: typeof fields === 'string' ? fields : (msg ?? ''), fields });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}
