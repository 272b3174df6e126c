import type { Knex } from '@hookstream/service-kit';
import { consumeSessionToken, webhookExists } from '@hookstream/store';
import type { SessionStore } from './session-service.js';

/** The session service's store on PostgreSQL. */
export function sessionStoreOf(db: Knex): SessionStore {
  return {
    consume: (jti, expiresAt) => consumeSessionToken(db, jti, expiresAt),
    webhookExists: (tenantId, id) => webhookExists(db, tenantId, id),
  };
}
