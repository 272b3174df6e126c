import type { WebhookSpec } from '@hookstream/schemas';
import type { Knex } from '@hookstream/service-kit';
import { restrictToPartner, type PartnerScope } from './ui-sessions.js';

export type WebhookKind = 'notification' | 'content' | 'system';

/** A webhook as the apps use it; `spec` holds no secret (those live sealed in `secretsEnc`). */
export interface WebhookRecord {
  id: string;
  tenantId: string;
  kind: WebhookKind;
  enabled: boolean;
  /** Why the system (not the owner) disabled it: `gone` when its endpoint answered 410. */
  disabledReason?: string | null;
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
  disabled_reason?: string | null;
  buggy: boolean;
  object: string | null;
  spec: WebhookSpec;
  secrets_enc: string | null;
  fingerprint: string;
  consecutive_failures: number;
  marked_buggy_at: Date | null;
  /** The partner label of the portal session that created it; null when created with an API key. */
  partner?: string | null;
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
    disabledReason: r.disabled_reason ?? null,
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

/**
 * The loaders the matcher and the workers read through: a webhook of a disabled tenant reads as
 * disabled, so nothing more is matched to it or delivered (queued and retrying jobs included).
 */
function loaderQuery(db: Knex) {
  return db<WebhookRow>('webhooks as w').join('tenants as t', 't.id', 'w.tenant_id').select('w.*', db.raw('(w.enabled AND t.disabled_at IS NULL) AS enabled'));
}

export async function loadWebhook(db: Knex, id: string): Promise<WebhookRecord | undefined> {
  const row = (await loaderQuery(db).where('w.id', id).first()) as WebhookRow | undefined;
  return row ? webhookFromRow(row) : undefined;
}

/** Every webhook, streamed in pages so a large table does not land in memory twice. */
export async function loadAllWebhooks(db: Knex, pageSize = 5000): Promise<WebhookRecord[]> {
  const out: WebhookRecord[] = [];
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = (await loaderQuery(db).where('w.id', '>', after).orderBy('w.id').limit(pageSize)) as WebhookRow[];
    for (const r of rows) out.push(webhookFromRow(r));
    if (rows.length < pageSize) return out;
    after = rows[rows.length - 1]!.id;
  }
}

/** The columns the control plane writes when it creates or replaces a webhook. */
export interface WebhookWrite {
  kind: WebhookKind;
  enabled: boolean;
  object: string | null;
  spec: WebhookSpec;
  secretsEnc: string | null;
  fingerprint: string;
  /** The partner label of the portal session creating the webhook (set on insert only; a replace keeps it). */
  partner?: string | null;
}

function writeColumns(w: WebhookWrite) {
  return {
    kind: w.kind,
    enabled: w.enabled,
    object: w.object,
    spec: JSON.stringify(w.spec),
    secrets_enc: w.secretsEnc,
    fingerprint: w.fingerprint,
  };
}

/** Inserts a webhook; undefined when the tenant already has one with the same fingerprint. */
export async function insertWebhook(db: Knex, tenantId: string, id: string, w: WebhookWrite): Promise<WebhookRow | undefined> {
  const [row] = (await db('webhooks')
    .insert({ id, tenant_id: tenantId, ...writeColumns(w), ...(w.partner ? { partner: w.partner } : {}) })
    .onConflict(['tenant_id', 'fingerprint'])
    .ignore()
    .returning('*')) as WebhookRow[];
  return row;
}

/** How many webhooks the tenant has (enabled or not: each can be re-enabled). */
export async function countTenantWebhooks(db: Knex, tenantId: string): Promise<number> {
  const row = (await db('webhooks').where({ tenant_id: tenantId }).count<{ n: string }[]>({ n: '*' }).first()) as { n: string | number } | undefined;
  return Number(row?.n ?? 0);
}

/** The id of the tenant's webhook with this fingerprint (other than `exceptId`), if any. */
export async function findWebhookIdByFingerprint(db: Knex, tenantId: string, fingerprint: string, exceptId?: string): Promise<string | undefined> {
  const q = db('webhooks').where({ tenant_id: tenantId, fingerprint });
  if (exceptId) q.whereNot({ id: exceptId });
  const row = (await q.first('id')) as { id: string } | undefined;
  return row?.id;
}

export async function getTenantWebhook(db: Knex, tenantId: string, id: string): Promise<WebhookRow | undefined> {
  return (await db('webhooks').where({ tenant_id: tenantId, id }).first()) as WebhookRow | undefined;
}

/** Reads the tenant's webhook and locks its row until the transaction ends, so changes to it are serialised. */
export async function lockTenantWebhook(trx: Knex.Transaction, tenantId: string, id: string): Promise<WebhookRow | undefined> {
  return (await trx('webhooks').where({ tenant_id: tenantId, id }).forUpdate().first()) as WebhookRow | undefined;
}

export async function webhookExists(db: Knex, tenantId: string, id: string): Promise<boolean> {
  return Boolean(await db('webhooks').where({ tenant_id: tenantId, id }).first('id'));
}

/** A page of the tenant's webhooks in creation order, optionally only those watching one of `objects`, or only buggy (or healthy) ones. */
export async function listTenantWebhooks(
  db: Knex,
  tenantId: string,
  opts: { objects?: string[] | undefined; buggy?: boolean | undefined; partnerScope?: PartnerScope | undefined; offset: number; limit: number },
): Promise<WebhookRow[]> {
  const q = db('webhooks').where({ tenant_id: tenantId });
  if (opts.partnerScope) restrictToPartner(q, opts.partnerScope);
  if (opts.objects) q.whereIn('object', opts.objects);
  if (opts.buggy !== undefined) q.where({ buggy: opts.buggy });
  return (await q
    .orderBy([{ column: 'created_at' }, { column: 'id' }])
    .offset(opts.offset)
    .limit(opts.limit)) as WebhookRow[];
}

/** Replaces a webhook's configuration; a duplicate fingerprint fails with PostgreSQL's unique violation (23505). */
export async function replaceWebhook(db: Knex, tenantId: string, id: string, w: WebhookWrite): Promise<WebhookRow | undefined> {
  const [row] = (await db('webhooks')
    .where({ tenant_id: tenantId, id })
    // Enabled by its owner's new configuration: whatever the system decided (a 410's `gone`) is over.
    .update({ ...writeColumns(w), ...(w.enabled ? { disabled_reason: null } : {}), revision: db.raw('revision + 1'), updated_at: db.fn.now() })
    .returning('*')) as WebhookRow[];
  return row;
}

/** Switches a webhook on or off; `spec.enabled` follows so the stored configuration says the same. */
export async function setWebhookEnabled(db: Knex, id: string, enabled: boolean): Promise<WebhookRow | undefined> {
  const [row] = (await db('webhooks')
    .where({ id })
    .update({
      enabled,
      disabled_reason: null,
      spec: db.raw(`jsonb_set(spec, '{enabled}', to_jsonb(?::boolean))`, [enabled]),
      revision: db.raw('revision + 1'),
      updated_at: db.fn.now(),
    })
    .returning('*')) as WebhookRow[];
  return row;
}

/**
 * Replaces a webhook's sealed secrets only (a signing key rotation); the revision bump sends
 * the change feed to the matcher's and the workers' caches.
 */
export async function replaceWebhookSecrets(db: Knex, id: string, secretsEnc: string | null): Promise<WebhookRow | undefined> {
  const [row] = (await db('webhooks')
    .where({ id })
    .update({ secrets_enc: secretsEnc, revision: db.raw('revision + 1'), updated_at: db.fn.now() })
    .returning('*')) as WebhookRow[];
  return row;
}

/** Enables a webhook and clears its buggy state and failure count. */
export async function reenableWebhook(db: Knex, id: string): Promise<WebhookRow | undefined> {
  const [row] = (await db('webhooks')
    .where({ id })
    .update({
      enabled: true,
      disabled_reason: null,
      buggy: false,
      consecutive_failures: 0,
      marked_buggy_at: null,
      spec: db.raw(`jsonb_set(spec, '{enabled}', 'true'::jsonb)`),
      revision: db.raw('revision + 1'),
      updated_at: db.fn.now(),
    })
    .returning('*')) as WebhookRow[];
  return row;
}

/**
 * Disables a webhook because the system decided so (`reason`, e.g. `gone` on a 410), once:
 * the tenant's id when this call switched it off, undefined when it was already off or is gone.
 * The row change reaches every cache through the change feed like any update.
 */
export async function disableWebhookFor(db: Knex, id: string, reason: string): Promise<{ tenantId: string } | undefined> {
  const [row] = (await db('webhooks')
    .where({ id, enabled: true })
    .update({
      enabled: false,
      disabled_reason: reason,
      spec: db.raw(`jsonb_set(spec, '{enabled}', 'false'::jsonb)`),
      revision: db.raw('revision + 1'),
      updated_at: db.fn.now(),
    })
    .returning('tenant_id')) as { tenant_id: string }[];
  return row ? { tenantId: row.tenant_id } : undefined;
}

/** Deletes the tenant's webhook; false when there was none. */
export async function deleteTenantWebhook(db: Knex, tenantId: string, id: string): Promise<boolean> {
  const deleted = await db('webhooks').where({ tenant_id: tenantId, id }).delete().returning('id');
  return deleted.length > 0;
}

/** What counting a discarded delivery did to its webhook's row. */
export interface DiscardCount {
  /** True only for the call that crossed the threshold: the webhook was healthy before it. */
  markedBuggy: boolean;
  tenantId: string;
  consecutiveFailures: number;
}

/**
 * Counts one more consecutive discarded delivery in the webhook's row (so every worker shares
 * the count) and marks it buggy when the count reaches `buggyAfter`; marking bumps the
 * revision so caches reload it. Undefined when the webhook no longer exists.
 */
export async function countWebhookDiscard(db: Knex, webhookId: string, buggyAfter: number): Promise<DiscardCount | undefined> {
  const { rows } = await db.raw<{ rows: { marked: boolean; tenant_id: string; consecutive_failures: number }[] }>(
    `WITH prev AS (SELECT id, buggy FROM webhooks WHERE id = ? FOR UPDATE)
     UPDATE webhooks w SET
       consecutive_failures = w.consecutive_failures + 1,
       buggy = w.buggy OR w.consecutive_failures + 1 >= ?,
       marked_buggy_at = CASE WHEN NOT w.buggy AND w.consecutive_failures + 1 >= ? THEN now() ELSE w.marked_buggy_at END,
       revision = CASE WHEN NOT w.buggy AND w.consecutive_failures + 1 >= ? THEN w.revision + 1 ELSE w.revision END,
       updated_at = CASE WHEN NOT w.buggy AND w.consecutive_failures + 1 >= ? THEN now() ELSE w.updated_at END
     FROM prev WHERE w.id = prev.id
     RETURNING (w.buggy AND NOT prev.buggy) AS marked, w.tenant_id, w.consecutive_failures`,
    [webhookId, buggyAfter, buggyAfter, buggyAfter, buggyAfter],
  );
  const row = rows[0];
  return row ? { markedBuggy: row.marked, tenantId: row.tenant_id, consecutiveFailures: row.consecutive_failures } : undefined;
}

/** A delivered call ends the run of discards: the count restarts (the buggy mark stays until someone clears it). */
export async function resetWebhookDiscards(db: Knex, webhookId: string): Promise<void> {
  await db.raw('UPDATE webhooks SET consecutive_failures = 0 WHERE id = ? AND consecutive_failures > 0', [webhookId]);
}

/** A webhook marked buggy, as the CLI lists it. */
export interface BuggyWebhookRow {
  id: string;
  tenant_id: string;
  kind: WebhookKind;
  consecutive_failures: number;
  marked_buggy_at: Date | null;
}

/** Every webhook marked buggy, the longest-marked first. */
export async function listBuggyWebhooks(db: Knex): Promise<BuggyWebhookRow[]> {
  return db('webhooks').where({ buggy: true }).orderBy('marked_buggy_at').select('id', 'tenant_id', 'kind', 'consecutive_failures', 'marked_buggy_at');
}

/** A webhook an operator should look at: marked buggy, or switched off (by its owner or the system). */
export interface WebhookStateRow extends BuggyWebhookRow {
  endpoint: string;
  enabled: boolean;
  buggy: boolean;
  disabled_reason: string | null;
  updated_at: Date;
}

/** Every webhook marked buggy (the longest-marked first) or every disabled one (the latest first), at most `limit`. */
export async function listWebhooksInState(db: Knex, state: 'buggy' | 'disabled', limit: number): Promise<WebhookStateRow[]> {
  const q = db('webhooks').select(
    'id',
    'tenant_id',
    'kind',
    db.raw("spec->>'endpoint' AS endpoint"),
    'enabled',
    'buggy',
    'consecutive_failures',
    'marked_buggy_at',
    'disabled_reason',
    'updated_at',
  );
  if (state === 'buggy') q.where({ buggy: true }).orderBy([{ column: 'marked_buggy_at' }, { column: 'id' }]);
  else q.where({ enabled: false }).orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id' }]);
  return (await q.limit(limit)) as WebhookStateRow[];
}
