import type { WebhookSpec } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';

export type WebhookKind = 'notification' | 'content' | 'system';

/** A webhook as the apps use it; `spec` holds no secret (those live sealed in `secretsEnc`). */
export interface WebhookRecord {
  id: string;
  tenantId: string;
  kind: WebhookKind;
  enabled: boolean;
  buggy: boolean;
  object: string | null;
  spec: WebhookSpec;
  secretsEnc: string | null;
  fingerprint: string;
  consecutiveFailures: number;
  markedBuggyAt: Date | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface WebhookRow {
  id: string;
  tenant_id: string;
  kind: WebhookKind;
  enabled: boolean;
  buggy: boolean;
  object: string | null;
  spec: WebhookSpec;
  secrets_enc: string | null;
  fingerprint: string;
  consecutive_failures: number;
  marked_buggy_at: Date | null;
  revision: number;
  created_at: Date;
  updated_at: Date;
}

export function webhookFromRow(r: WebhookRow): WebhookRecord {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    kind: r.kind,
    enabled: r.enabled,
    buggy: r.buggy,
    object: r.object,
    spec: r.spec,
    secretsEnc: r.secrets_enc,
    fingerprint: r.fingerprint,
    consecutiveFailures: r.consecutive_failures,
    markedBuggyAt: r.marked_buggy_at,
    revision: Number(r.revision),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export async function loadWebhook(db: Knex, id: string): Promise<WebhookRecord | undefined> {
  const row = await db<WebhookRow>('webhooks').where({ id }).first();
  return row ? webhookFromRow(row) : undefined;
}

/** Every webhook, streamed in pages so a large table does not land in memory twice. */
export async function loadAllWebhooks(db: Knex, pageSize = 5000): Promise<WebhookRecord[]> {
  const out: WebhookRecord[] = [];
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await db<WebhookRow>('webhooks').where('id', '>', after).orderBy('id').limit(pageSize);
    for (const r of rows) out.push(webhookFromRow(r));
    if (rows.length < pageSize) return out;
    after = rows[rows.length - 1]!.id;
  }
}
