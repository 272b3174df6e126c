import type { Knex, SecretBox } from '@hookstream/service-kit';
import { getTenantSecret, openWebhookSecrets, type WebhookRecord, type WebhookSecrets } from '@hookstream/store';
import { AuthError } from './errors.js';

/**
 * Secrets at send time: a webhook's own (sealed in its row, opened once per sealed value) and
 * the tenant's secret store (read again after a few seconds, so a rotation applies to the
 * next deliveries without a database read per call).
 */
export class SecretResolver {
  private readonly opened = new Map<string, { sealed: string | null; secrets: WebhookSecrets }>();
  private readonly tenant = new Map<string, { at: number; value: Promise<string | undefined> }>();

  constructor(
    private readonly box: SecretBox,
    private readonly db: Knex,
    private readonly tenantTtlMs: number,
  ) {}

  webhookSecrets(webhook: WebhookRecord): WebhookSecrets {
    const hit = this.opened.get(webhook.id);
    if (hit && hit.sealed === webhook.secretsEnc) return hit.secrets;
    let secrets: WebhookSecrets;
    try {
      secrets = openWebhookSecrets(this.box, webhook.id, webhook.secretsEnc);
    } catch {
      throw new AuthError('auth_config', 'the webhook secrets cannot be decrypted with the key ring (HOOKSTREAM_SECRET_KEYS)');
    }
    this.opened.set(webhook.id, { sealed: webhook.secretsEnc, secrets });
    return secrets;
  }

  async tenantSecret(tenantId: string, name: string): Promise<string> {
    const key = `${tenantId}\u0000${name}`;
    const now = Date.now();
    let hit = this.tenant.get(key);
    if (!hit || now - hit.at >= this.tenantTtlMs) {
      hit = { at: now, value: getTenantSecret(this.db, this.box, tenantId, name) };
      this.tenant.set(key, hit);
      hit.value.catch(() => this.tenant.delete(key));
    }
    let value: string | undefined;
    try {
      value = await hit.value;
    } catch {
      throw new AuthError('auth_config', `secret store entry '${name}' could not be read`);
    }
    if (value === undefined) throw new AuthError('auth_secret_missing', `secret store entry '${name}' does not exist`);
    return value;
  }

  forget(webhookId: string): void {
    this.opened.delete(webhookId);
  }
}
