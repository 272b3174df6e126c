import type { Knex } from '@hookstream/service-kit';

/**
 * Claims a single-use session token by its `jti`: true for the first claim on any gateway, false
 * for every later one (INSERT ... ON CONFLICT DO NOTHING is atomic under concurrent exchanges).
 * The row lives until `expiresAt`, the token's own expiry, after which the signature check refuses
 * the token anyway and `pruneSessionTokens` deletes it.
 */
export async function consumeSessionToken(db: Knex, jti: string, expiresAt: Date): Promise<boolean> {
  const rows = (await db('ui_session_tokens').insert({ jti, expires_at: expiresAt }).onConflict('jti').ignore().returning('jti')) as { jti: string }[];
  return rows.length === 1;
}

/**
 * Deletes the claims of tokens that have expired and the revocations of sessions that have
 * (at most `batch` rows of each); answers how many rows went.
 */
export async function pruneSessionTokens(db: Knex, batch = 5000): Promise<number> {
  const claims = (await db.raw(`DELETE FROM ui_session_tokens WHERE jti IN (SELECT jti FROM ui_session_tokens WHERE expires_at < now() LIMIT ?)`, [batch])) as {
    rowCount: number;
  };
  const revocations = (await db.raw(
    `DELETE FROM ui_session_revocations WHERE ctid IN (SELECT ctid FROM ui_session_revocations WHERE expires_at < now() LIMIT ?)`,
    [batch],
  )) as { rowCount: number };
  return claims.rowCount + revocations.rowCount;
}

/**
 * Ends a session before its time (see migration 0016): `tenantId` when the tenant that issued a
 * portal session revokes it (it then only matches that tenant's session), none for a logout.
 * Kept until `expiresAt`, when the session would have ended anyway. Idempotent.
 */
export async function revokeSession(db: Knex, sessionId: string, expiresAt: Date, tenantId?: string): Promise<void> {
  await db('ui_session_revocations')
    .insert({ session_id: sessionId, revoked_by: tenantId ?? '', expires_at: expiresAt })
    .onConflict(['session_id', 'revoked_by'])
    .ignore();
}

/** Whether the session was revoked: by a logout, or by `tenantId` (a portal session's tenant). */
export async function sessionRevoked(db: Knex, sessionId: string, tenantId?: string): Promise<boolean> {
  const row = await db('ui_session_revocations')
    .where({ session_id: sessionId })
    .whereIn('revoked_by', tenantId === undefined ? [''] : ['', tenantId])
    .first('session_id');
  return row !== undefined;
}

/**
 * What one portal session may see of its tenant's webhooks: those listed when the session was
 * created, and those created by (any session of) the same partner.
 */
export interface PartnerScope {
  partner: string;
  webhookIds: readonly string[];
}

function visibleTo(q: Knex.QueryBuilder, scope: PartnerScope, table = 'webhooks'): void {
  void q.where((w) => {
    void w.where(`${table}.partner`, scope.partner);
    if (scope.webhookIds.length) void w.orWhereIn(`${table}.id`, [...scope.webhookIds]);
  });
}

/** Whether the tenant's webhook `id` exists and is visible to the portal session's scope. */
export async function webhookVisibleToPartner(db: Knex, tenantId: string, id: string, scope: PartnerScope): Promise<boolean> {
  const q = db('webhooks').where({ tenant_id: tenantId, id });
  visibleTo(q, scope);
  return Boolean(await q.first('id'));
}

/**
 * Whether the tenant's delivery `id` belongs to a webhook visible to the portal session's scope
 * (a listed webhook's deliveries stay visible after the webhook was deleted).
 */
export async function deliveryVisibleToPartner(db: Knex, tenantId: string, id: string, scope: PartnerScope): Promise<boolean> {
  const q = db('deliveries as d')
    .leftJoin('webhooks as w', (j) => j.on('w.id', 'd.webhook_id').andOn('w.tenant_id', 'd.tenant_id'))
    .where({ 'd.tenant_id': tenantId, 'd.id': id })
    .where((w) => {
      void w.where('w.partner', scope.partner);
      if (scope.webhookIds.length) void w.orWhereIn('d.webhook_id', [...scope.webhookIds]);
    });
  return Boolean(await q.first('d.id'));
}

/** Narrows a query on `webhooks` to the rows a portal session may see (used by the webhook list). */
export function restrictToPartner(q: Knex.QueryBuilder, scope: PartnerScope): void {
  visibleTo(q, scope);
}
