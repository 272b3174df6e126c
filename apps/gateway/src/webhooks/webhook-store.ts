import type { Knex } from '@hookstream/service-kit';
import {
  countTenantWebhooks,
  deleteTenantWebhook,
  findWebhookIdByFingerprint,
  getTenantWebhook,
  insertWebhook,
  listTenantWebhooks,
  lockTenantWebhook,
  lockTenantWebhookLimit,
  reenableWebhook,
  replaceWebhook,
  replaceWebhookSecrets,
  setWebhookEnabled,
  tenantSecretExists,
} from '@hookstream/store';
import type { WebhookStore } from './webhook-service.js';

/** The webhook service's store on PostgreSQL: the @hookstream/store functions bound to `db`. */
export function webhookStoreOf(db: Knex): WebhookStore {
  return {
    transaction: (work) => db.transaction((trx) => work(webhookStoreOf(trx))),
    insert: (tenantId, id, w) => insertWebhook(db, tenantId, id, w),
    idByFingerprint: (tenantId, fingerprint, exceptId) => findWebhookIdByFingerprint(db, tenantId, fingerprint, exceptId),
    get: (tenantId, id) => getTenantWebhook(db, tenantId, id),
    // Only meaningful inside `transaction`: the row stays locked until it ends.
    lock: (tenantId, id) => lockTenantWebhook(db as Knex.Transaction, tenantId, id),
    list: (tenantId, opts) => listTenantWebhooks(db, tenantId, opts),
    replace: (tenantId, id, w) => replaceWebhook(db, tenantId, id, w),
    setEnabled: (id, enabled) => setWebhookEnabled(db, id, enabled),
    reenable: (id) => reenableWebhook(db, id),
    remove: (tenantId, id) => deleteTenantWebhook(db, tenantId, id),
    replaceSecrets: (id, secretsEnc) => replaceWebhookSecrets(db, id, secretsEnc),
    secretExists: (tenantId, name) => tenantSecretExists(db, tenantId, name),
    // Only meaningful inside `transaction`: the tenant's row stays locked until it ends.
    lockWebhookQuota: async (tenantId) => {
      const tenant = await lockTenantWebhookLimit(db as Knex.Transaction, tenantId);
      return { limit: tenant?.webhook_limit ?? null, count: await countTenantWebhooks(db, tenantId) };
    },
  };
}
