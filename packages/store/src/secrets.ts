import type { Knex, SecretBox } from '@hookstream/service-kit';

/** The secret parts of a webhook's configuration, never stored or returned in clear. */
export interface WebhookSecrets {
  token?: string;
  client_secret?: string;
  /** A `whsec_` HMAC secret, or a `whsk_` Ed25519 private key (signature_scheme ed25519). */
  signing_secret?: string;
  /** After a rotation: the replaced signing key, which keeps signing next to the new one until... */
  previous_signing_secret?: string;
  /** ...this moment (ISO 8601); sealed with the keys so the pair is never read half-updated. */
  previous_signing_expires_at?: string;
}

/** What a sealed value is bound to (authenticated with it): its row. */
export const webhookContext = (webhookId: string) => `webhook:${webhookId}`;
export const tenantContext = (tenantId: string, name: string) => `tenant-secret:${tenantId}/${name}`;

export function sealWebhookSecrets(box: SecretBox, webhookId: string, secrets: WebhookSecrets): string | null {
  const present = Object.fromEntries(Object.entries(secrets).filter(([, v]) => typeof v === 'string' && v.length > 0));
  return Object.keys(present).length ? box.seal(JSON.stringify(present), webhookContext(webhookId)) : null;
}

export function openWebhookSecrets(box: SecretBox, webhookId: string, sealed: string | null): WebhookSecrets {
  return sealed ? (JSON.parse(box.open(sealed, webhookContext(webhookId))) as WebhookSecrets) : {};
}

export async function putTenantSecret(
  db: Knex,
  box: SecretBox,
  tenantId: string,
  name: string,
  value: string,
): Promise<{ created: boolean; updated_at: Date }> {
  const [row] = await db
    .raw<{ rows: { created: boolean; updated_at: Date }[] }>(
      `INSERT INTO tenant_secrets (tenant_id, name, value_enc) VALUES (?, ?, ?)
     ON CONFLICT (tenant_id, name) DO UPDATE SET value_enc = EXCLUDED.value_enc, updated_at = now()
     RETURNING (xmax = 0) AS created, updated_at`,
      [tenantId, name, box.seal(value, tenantContext(tenantId, name))],
    )
    .then((r) => r.rows);
  return row!;
}

/** The current value of a named tenant secret; read at send time so a rotation applies to the next delivery. */
export async function getTenantSecret(db: Knex, box: SecretBox, tenantId: string, name: string): Promise<string | undefined> {
  const row = await db('tenant_secrets').where({ tenant_id: tenantId, name }).first('value_enc');
  return row ? box.open(row.value_enc as string, tenantContext(tenantId, name)) : undefined;
}

export async function tenantSecretExists(db: Knex, tenantId: string, name: string): Promise<boolean> {
  return Boolean(await db('tenant_secrets').where({ tenant_id: tenantId, name }).first('name'));
}

export async function listTenantSecrets(db: Knex, tenantId: string): Promise<{ name: string; created_at: Date; updated_at: Date }[]> {
  return db('tenant_secrets').where({ tenant_id: tenantId }).orderBy('name').select('name', 'created_at', 'updated_at');
}
