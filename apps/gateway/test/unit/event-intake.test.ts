import { fixtures, webhookLifecycleEvent } from '@hookstream/schemas';
import { intakeEvent } from '../../src/ingest/event-intake.js';

describe('event intake', () => {
  const tenant = '5b7a4c1e-0000-4000-8000-000000000001';
  const event = () => {
    const { tenantid: _t, ...e } = fixtures.envelope('replied-message') as Record<string, unknown>;
    return e;
  };

  it('completes id, time and tenantid and keys on tenant and subject', () => {
    const { id: _id, time: _time, ...e } = event();
    const r = intakeEvent({ ...e, subject: 'conv-1' }, tenant, 262_144, new Date('2026-01-01T00:00:00Z'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.event.time).toBe('2026-01-01T00:00:00.000Z');
    expect(r.event.tenantid).toBe(tenant);
    expect(r.key).toBe(`${tenant}:conv-1`);
  });

  it('refuses data over the limit with 413 and names the size', () => {
    const e = event();
    (e.data as Record<string, unknown>).padding = 'x'.repeat(2000);
    const r = intakeEvent(e, tenant, 1024);
    expect(r).toMatchObject({ ok: false, status: 413, reason: 'too_large', error: expect.stringMatching(/limit is 1024 bytes/) });
  });

  it('does not modify its input', () => {
    const e = event();
    const copy = structuredClone(e);
    intakeEvent(e, tenant, 262_144);
    expect(e).toEqual(copy);
  });
});

describe('#16.13 platform events cannot be forged', () => {
  const tenant = '5b7a4c1e-0000-4000-8000-000000000001';
  const lifecycle = (verb: string, source = 'https://partner.example/app') => {
    const { tenantid: _t, ...e } = webhookLifecycleEvent({
      verb: 'jive:webhook_created',
      tenantId: tenant,
      webhookId: 'w1',
      publicUrl: 'https://h.example',
      by: 'x',
    });
    return { ...e, type: verb, source };
  };

  it.each(['jive:webhook_created', 'jive:webhook_deleted', 'jive:webhook_marked_buggy', 'jive:webhook_marked_not_buggy', 'jive:webhook_secret_rotated'])(
    'refuses type %s at /type',
    (verb) => {
      expect(intakeEvent(lifecycle(verb), tenant, 262_144)).toMatchObject({
        ok: false,
        status: 400,
        reason: 'reserved',
        details: [expect.objectContaining({ path: '/type', rule: 'reserved' })],
      });
    },
  );

  it.each(['hookstream/gateway', 'hookstream/delivery-worker', 'HookStream/anything', 'hookstream'])('refuses source %j at /source', (source) => {
    const { tenantid: _t, ...e } = fixtures.envelope('replied-message') as Record<string, unknown>;
    expect(intakeEvent({ ...e, source }, tenant, 262_144)).toMatchObject({
      ok: false,
      status: 400,
      details: [expect.objectContaining({ path: '/source', rule: 'reserved' })],
    });
  });

  it('accepts other system verbs and sources that only resemble the platform', () => {
    const { tenantid: _t, ...e } = fixtures.envelope('replied-message') as Record<string, unknown>;
    expect(intakeEvent({ ...e, source: 'https://hookstream.partner.example/x' }, tenant, 262_144).ok).toBe(true);
    expect(intakeEvent({ ...e, source: 'hookstreamer/x' }, tenant, 262_144).ok).toBe(true);
  });
});
