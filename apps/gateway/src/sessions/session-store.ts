import type { Knex } from '@hookstream/service-kit';
import { consumeSessionToken, revokeSession, sessionRevoked, webhookExists } from '@hookstream/store';
import type { SessionStore } from './session-service.js';

/** The session service's store on PostgreSQL. */
export function sessionStoreOf(db: Knex): SessionStore {
  return {
    consume: (jti, expiresAt) => consumeSessionToken(db, jti, expiresAt),
    webhookExists: (tenantId, id) => webhookExists(db, tenantId, id),
    revoke: (sessionId, expiresAt, tenantId) => revokeSession(db, sessionId, expiresAt, tenantId),
    revoked: (sessionId, tenantId) => sessionRevoked(db, sessionId, tenantId),
  };
}
