import { randomBytes } from 'node:crypto';
import { fixtures, type WebhookLifecycleVerb } from '@hookstream/schemas';
import { SecretBox } from '@hookstream/service-kit';
import { openWebhookSecrets, type WebhookRow, type WebhookWrite } from '@hookstream/store';
import { Conflict, InvalidInput, NotFound, Unavailable } from '../../src/domain/errors.js';
import { WebhookService, type WebhookEvents, type WebhookStore } from '../../src/webhooks/webhook-service.js';

const TENANT = 'tenant-1';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** The webhooks table in memory; a transaction keeps its changes only when its work succeeds. */
class FakeStore implements WebhookStore {
  rows = new Map<string, WebhookRow>();
  secrets = new Set<string>();
  private at = 0;
  async transaction<T>(work: (tx: WebhookStore) => Promise<T>): Promise<T> {
    const before = new Map([...this.rows].map(([id, r]) => [id, { ...r }]));
    try {
      return await work(this);
    } catch (e) {
      this.rows = before;
      throw e;
    }
  }
  async insert(tenantId: string, id: string, w: WebhookWrite): Promise<WebhookRow | undefined> {
    if (await this.idByFingerprint(tenantId, w.fingerprint)) return undefined;
    const now = new Date(Date.UTC(2026, 0, 1, 0, 0, this.at++));
    const row: WebhookRow = {
      id,
      tenant_id: tenantId,
      kind: w.kind,
      enabled: w.enabled,
      buggy: false,
      object: w.object,
      spec: structuredClone(w.spec),
      secrets_enc: w.secretsEnc,
      fingerprint: w.fingerprint,
      consecutive_failures: 0,
      marked_buggy_at: null,
      revision: 1,
      created_at: now,
      updated_at: now,
    };
    this.rows.set(id, row);
    return row;
  }
  async idByFingerprint(tenantId: string, fingerprint: string, exceptId?: string): Promise<string | undefined> {
    return [...this.rows.values()].find((r) => r.tenant_id === tenantId && r.fingerprint === fingerprint && r.id !== exceptId)?.id;
  }
  async get(tenantId: string, id: string): Promise<WebhookRow | undefined> {
    const row = this.rows.get(id);
    return row?.tenant_id === tenantId ? row : undefined;
  }
  lock = this.get;
  async list(tenantId: string, opts: { objects?: string[] | undefined; offset: number; limit: number }): Promise<WebhookRow[]> {
    return [...this.rows.values()]
      .filter((r) => r.tenant_id === tenantId && (!opts.objects || opts.objects.includes(r.object ?? '')))
      .slice(opts.offset, opts.offset + opts.limit);
  }
  async replace(tenantId: string, id: string, w: WebhookWrite): Promise<WebhookRow | undefined> {
    if (await this.idByFingerprint(tenantId, w.fingerprint, id)) throw Object.assign(new Error('duplicate key'), { code: '23505' });
    return this.update(id, {
      kind: w.kind,
      enabled: w.enabled,
      object: w.object,
      spec: structuredClone(w.spec),
      secrets_enc: w.secretsEnc,
      fingerprint: w.fingerprint,
    });
  }
  async setEnabled(id: string, enabled: boolean): Promise<WebhookRow | undefined> {
    return this.update(id, { enabled, spec: { ...this.rows.get(id)!.spec, enabled } });
  }
  async reenable(id: string): Promise<WebhookRow | undefined> {
    return this.update(id, {
      enabled: true,
      buggy: false,
      consecutive_failures: 0,
      marked_buggy_at: null,
      spec: { ...this.rows.get(id)!.spec, enabled: true },
    });
  }
  async remove(tenantId: string, id: string): Promise<boolean> {
    return (await this.get(tenantId, id)) !== undefined && this.rows.delete(id);
  }
  async replaceSecrets(id: string, secretsEnc: string | null): Promise<WebhookRow | undefined> {
    return this.update(id, { secrets_enc: secretsEnc });
  }
  async secretExists(tenantId: string, name: string): Promise<boolean> {
    return this.secrets.has(`${tenantId}/${name}`);
  }
  async lockWebhookQuota(tenantId: string): Promise<{ limit: number | null; count: number }> {
    return { limit: null, count: [...this.rows.values()].filter((r) => r.tenant_id === tenantId).length };
  }
  private update(id: string, change: Partial<WebhookRow>): WebhookRow | undefined {
    const row = this.rows.get(id);
    if (!row) return undefined;
    const next = { ...row, ...change, revision: row.revision + 1 };
    this.rows.set(id, next);
    return next;
  }
}

class FakeEvents implements WebhookEvents {
  readonly published: string[] = [];
  refuse = false;
  async publish(_tenantId: string, webhookId: string, verbs: WebhookLifecycleVerb[]): Promise<void> {
    if (verbs.length && this.refuse)
      throw new Unavailable('the event broker did not acknowledge the webhook system event; nothing was changed, retry the request', 1);
    for (const verb of verbs) this.published.push(`${verb} ${webhookId}`);
  }
}

function setup(allowPrivate = false) {
  const store = new FakeStore();
  const events = new FakeEvents();
  const box = new SecretBox(randomBytes(32).toString('base64'));
  const service = new WebhookService(store, box, events, { allowPrivate }, 'https://hookstream.test');
  return { store, events, box, service };
}

const content = (callback = 'https://hooks.partner.example/content') => ({ callback, events: 'content', object: 'https://www.example.com/places/1' });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('WebhookService', () => {
  it('creates a webhook: secrets sealed apart from the spec, one created event, presented without secrets', async () => {
    const { service, store, events, box } = setup();
    const row = await service.create(TENANT, fixtures.webhookRequests.notificationJwt);
    const clientSecret = fixtures.webhookRequests.notificationJwt.auth_config.client_secret;
    expect(JSON.stringify(store.rows.get(row.id)!.spec)).not.toContain(clientSecret);
    expect(openWebhookSecrets(box, row.id, row.secrets_enc).client_secret).toBe(clientSecret);
    expect(events.published).toEqual([`jive:webhook_created ${row.id}`]);
    const shown = service.present(row);
    expect(JSON.stringify(shown)).not.toContain(clientSecret);
    expect(shown).toMatchObject({ id: row.id, uri: `https://hookstream.test/v1/webhooks/${row.id}` });
  });

  it('refuses an invalid body, an endpoint the URL policy refuses and a missing named secret as InvalidInput with JSON paths', async () => {
    const { service, store } = setup();
    const invalid = await failure(service.create(TENANT, { callback: 'https://x.example/h' }));
    expect(invalid).toBeInstanceOf(InvalidInput);
    const local = (await failure(service.create(TENANT, content('https://127.0.0.1/hook')))) as InvalidInput;
    expect(local.details).toEqual([{ path: '/callback', message: expect.stringMatching(/non-public address/), rule: 'endpointPolicy' }]);
    const missing = (await failure(service.create(TENANT, fixtures.webhookRequests.notificationToken))) as InvalidInput;
    expect(missing.details?.map((d) => [d.path, d.rule])).toEqual([['/auth_config/secret_name', 'secretExists']]);
    store.secrets.add(`${TENANT}/${fixtures.webhookRequests.notificationToken.auth_config.secret_name}`);
    await expect(service.create(TENANT, fixtures.webhookRequests.notificationToken)).resolves.toMatchObject({ kind: 'notification' });
    expect(store.rows.size).toBe(1);
  });

  it('answers Conflict naming the existing webhook when the same subscription exists, and publishes nothing', async () => {
    const { service, events } = setup();
    const first = await service.create(TENANT, content());
    const again = await failure(service.create(TENANT, content()));
    expect(again).toBeInstanceOf(Conflict);
    expect((again as Conflict).message).toContain(first.id);
    expect(events.published).toHaveLength(1);
  });

  it('rolls a change back when the broker refuses its system event', async () => {
    const { service, store, events } = setup();
    events.refuse = true;
    expect(await failure(service.create(TENANT, content()))).toBeInstanceOf(Unavailable);
    expect(store.rows.size).toBe(0);
    events.refuse = false;
    const row = await service.create(TENANT, content());
    events.refuse = true;
    expect(await failure(service.remove(TENANT, row.id))).toBeInstanceOf(Unavailable);
    expect(store.rows.has(row.id)).toBe(true);
  });

  it('switches enabled with a body of only {enabled}, publishing only real changes', async () => {
    const { service, events } = setup();
    const row = await service.create(TENANT, content());
    expect((await service.update(TENANT, row.id, { enabled: false, id: 'ignored', uri: 'ignored' })).enabled).toBe(false);
    expect((await service.update(TENANT, row.id, { enabled: false })).enabled).toBe(false);
    expect((await service.enable(TENANT, row.id)).enabled).toBe(true);
    expect(events.published.map((e) => e.split(' ')[0])).toEqual(['jive:webhook_created', 'jive:webhook_disabled', 'jive:webhook_enabled']);
    const wrong = (await failure(service.update(TENANT, row.id, { enabled: 'no' }))) as InvalidInput;
    expect(wrong.details).toEqual([{ path: '/enabled', message: 'must be boolean', rule: 'type' }]);
    expect(((await failure(service.update(TENANT, row.id, [1]))) as InvalidInput).details).toEqual([{ path: '', message: 'must be object', rule: 'type' }]);
  });

  it('replaces a configuration keeping its enabled state, and refuses one identical to another webhook', async () => {
    const { service } = setup();
    const a = await service.create(TENANT, content('https://hooks.partner.example/a'));
    const b = await service.create(TENANT, content('https://hooks.partner.example/b'));
    await service.update(TENANT, a.id, { enabled: false });
    const replaced = await service.update(TENANT, a.id, content('https://hooks.partner.example/a2'));
    expect(replaced).toMatchObject({ enabled: false, spec: expect.objectContaining({ endpoint: 'https://hooks.partner.example/a2' }) });
    const clash = await failure(service.update(TENANT, a.id, content('https://hooks.partner.example/b')));
    expect(clash).toBeInstanceOf(Conflict);
    expect((clash as Conflict).message).toContain(b.id);
  });

  it('re-enables a buggy webhook with marked_not_buggy, and is a no-op on a healthy one', async () => {
    const { service, store, events } = setup();
    const row = await service.create(TENANT, content());
    expect(await service.enable(TENANT, row.id)).toEqual(row);
    store.rows.set(row.id, { ...row, buggy: true, consecutive_failures: 7 });
    expect(await service.enable(TENANT, row.id)).toMatchObject({ buggy: false, consecutive_failures: 0 });
    expect(events.published.map((e) => e.split(' ')[0])).toEqual(['jive:webhook_created', 'jive:webhook_marked_not_buggy']);
  });

  it('re-enabling a buggy webhook recovers what it skipped since it was marked, unless asked not to; a merely disabled one recovers nothing (#17.4)', async () => {
    const store = new FakeStore();
    const calls: { since: Date; revision: number }[] = [];
    const recovery = {
      async recover(_tenantId: string, _webhookId: string, since: Date, revision: number) {
        calls.push({ since, revision });
        return 3;
      },
    };
    const service = new WebhookService(
      store,
      new SecretBox(randomBytes(32).toString('base64')),
      new FakeEvents(),
      { allowPrivate: false },
      'https://hookstream.test',
      10,
      recovery,
    );
    const row = await service.create(TENANT, content());
    const markedAt = new Date('2026-01-31T12:00:00Z');
    store.rows.set(row.id, { ...row, buggy: true, marked_buggy_at: markedAt });
    expect(service.present(store.rows.get(row.id)!)).toMatchObject({ enabled: false, buggy: true, marked_buggy_at: markedAt.toISOString() });
    const r = await service.reenable(TENANT, row.id);
    expect(r.recovered).toBe(3);
    expect(calls).toEqual([{ since: markedAt, revision: Number(r.row.revision) }]);
    expect(service.present(r.row)).toMatchObject({ enabled: true, buggy: false, marked_buggy_at: null });

    store.rows.set(row.id, { ...r.row, buggy: true, marked_buggy_at: markedAt });
    expect(await service.reenable(TENANT, row.id, { recover: false })).toMatchObject({ recovered: 0, row: { buggy: false } });
    store.rows.set(row.id, { ...r.row, enabled: false });
    expect((await service.reenable(TENANT, row.id)).recovered).toBe(0);
    // The entity read back while buggy (enabled: false) and sent back keeps the stored switch.
    store.rows.set(row.id, { ...r.row, buggy: true, marked_buggy_at: markedAt });
    const echoed = service.present(store.rows.get(row.id)!);
    expect(echoed.enabled).toBe(false);
    expect(await service.update(TENANT, row.id, { ...echoed, description: 'echoed' })).toMatchObject({ enabled: true, buggy: true });
    // PUT {"enabled": true} on a buggy webhook is the same re-enable, recovery included.
    store.rows.set(row.id, { ...r.row, buggy: true, marked_buggy_at: markedAt });
    expect(await service.update(TENANT, row.id, { enabled: true })).toMatchObject({ buggy: false });
    expect(calls).toHaveLength(2);
  });

  it("answers NotFound for unknown ids, ids that are not UUIDs and another tenant's webhooks", async () => {
    const { service } = setup();
    const row = await service.create(TENANT, content());
    for (const attempt of [
      service.get(TENANT, UNKNOWN),
      service.get(TENANT, 'not-a-uuid'),
      service.get('tenant-2', row.id),
      service.remove('tenant-2', row.id),
      service.enable(TENANT, UNKNOWN),
      service.update(TENANT, UNKNOWN, { enabled: true }),
      service.update(TENANT, UNKNOWN, content('https://hooks.partner.example/other')),
    ]) {
      const e = await failure(attempt);
      expect(e).toBeInstanceOf(NotFound);
      expect((e as NotFound).message).toBe('webhook not found');
    }
    await service.remove(TENANT, row.id);
    expect(await failure(service.get(TENANT, row.id))).toBeInstanceOf(NotFound);
  });

  it('lists a page of the tenant webhooks, one more than the count to tell a next page exists, filtered by object', async () => {
    const { service } = setup();
    for (const n of [1, 2, 3]) await service.create(TENANT, content(`https://hooks.partner.example/${n}`));
    expect(await service.list(TENANT, { startIndex: 0, count: 2 })).toHaveLength(3);
    expect(await service.list(TENANT, { startIndex: 2, count: 2 })).toHaveLength(1);
    expect(await service.list(TENANT, { startIndex: 0, count: 5, objects: ['https://elsewhere.example/1'] })).toEqual([]);
    expect(await service.list('tenant-2', { startIndex: 0, count: 5 })).toEqual([]);
  });

  describe('signing keys (issue 18.1, 18.2)', () => {
    it('18.1: "signing": true generates a whsec_ secret of 32 random bytes, shown in the create answer and sealed; without it nothing signs', async () => {
      const { service, box } = setup();
      const saved = await service.create(TENANT, { ...content(), signing: true });
      const secret = saved.shownSigningKey?.signing_secret as string;
      expect(secret).toMatch(/^whsec_/);
      expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
      expect(openWebhookSecrets(box, saved.id, saved.secrets_enc).signing_secret).toBe(secret);
      expect(JSON.stringify(service.present(saved))).not.toContain(secret);
      const plain = await service.create(TENANT, content('https://hooks.partner.example/plain'));
      expect(plain.shownSigningKey).toBeUndefined();
      expect(await failure(service.rotateSigningSecret(TENANT, plain.id))).toBeInstanceOf(Conflict);
    });

    it('18.1: a rotation keeps the old secret signing until the grace period ends, answers the new one once, and publishes webhook_secret_rotated', async () => {
      const { service, box, events, store } = setup();
      const saved = await service.create(TENANT, { ...content(), signing: true });
      const old = saved.shownSigningKey!.signing_secret as string;
      const t0 = Date.now();
      const answer = await service.rotateSigningSecret(TENANT, saved.id, 60);
      expect(answer.signing_secret).toMatch(/^whsec_/);
      expect(answer.signing_secret).not.toBe(old);
      expect(Date.parse(answer.previous_expires_at as string) - t0).toBeGreaterThanOrEqual(59_000);
      const sealed = openWebhookSecrets(box, saved.id, store.rows.get(saved.id)!.secrets_enc);
      expect(sealed).toMatchObject({
        signing_secret: answer.signing_secret,
        previous_signing_secret: old,
        previous_signing_expires_at: answer.previous_expires_at,
      });
      expect(await service.signingSecret(TENANT, saved.id)).toEqual(answer);
      expect(events.published).toContain(`jive:webhook_secret_rotated ${saved.id}`);
      const immediate = await service.rotateSigningSecret(TENANT, saved.id, 0);
      expect(immediate.previous_expires_at).toBeNull();
      expect(openWebhookSecrets(box, saved.id, store.rows.get(saved.id)!.secrets_enc).previous_signing_secret).toBeUndefined();
    });

    it('18.1: replacing the configuration with "signing": true keeps the generated secret (receivers keep verifying)', async () => {
      const { service } = setup();
      const saved = await service.create(TENANT, { ...content(), signing: true });
      const replaced = await service.update(TENANT, saved.id, { ...content(), signing: true, description: 'renamed' });
      expect(replaced.shownSigningKey).toBeUndefined();
      expect((await service.signingSecret(TENANT, saved.id)).signing_secret).toBe(saved.shownSigningKey!.signing_secret);
    });

    it('18.2: ed25519 answers only the whpk_ public key (create, GET, rotation); the whsk_ private key stays sealed', async () => {
      const { service, box } = setup();
      const saved = await service.create(TENANT, { ...content(), signature_scheme: 'ed25519' });
      expect(saved.shownSigningKey).toMatchObject({ signature_scheme: 'ed25519', public_key: expect.stringMatching(/^whpk_/) });
      expect(openWebhookSecrets(box, saved.id, saved.secrets_enc).signing_secret).toMatch(/^whsk_/);
      const got = await service.signingSecret(TENANT, saved.id);
      const rotated = await service.rotateSigningSecret(TENANT, saved.id, 30);
      expect(rotated.previous_public_key).toBe(got.public_key);
      for (const answer of [saved.shownSigningKey, got, rotated, service.present(saved)]) expect(JSON.stringify(answer)).not.toMatch(/whsk_|"signing_secret"/);
    });

    it('18.2: a whsec_ secret with the ed25519 scheme, and signing: false with a secret, are refused with the JSON path', async () => {
      const { service } = setup();
      const e1 = (await failure(
        service.create(TENANT, { ...content(), signature_scheme: 'ed25519', signing_secret: `whsec_${randomBytes(32).toString('base64')}` }),
      )) as InvalidInput;
      expect(e1).toBeInstanceOf(InvalidInput);
      expect(JSON.stringify(e1.details)).toContain('/signing_secret');
      const e2 = (await failure(service.create(TENANT, { ...content(), signing: false, signature_scheme: 'ed25519' }))) as InvalidInput;
      expect(JSON.stringify(e2.details)).toContain('/signing');
    });
  });
});
