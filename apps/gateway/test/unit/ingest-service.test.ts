import { CATALOGUE_DIGEST, fixtures, VALIDATED_WITH_HEADER, WEBHOOKS_SEQ_HEADER } from '@hookstream/schemas';
import { prom } from '@hookstream/service-kit';
import type { Message } from 'kafkajs';
import { Unavailable } from '../../src/domain/errors.js';
import { createGatewayMetrics } from '../../src/http/metrics.js';
import type { Claim } from '../../src/ingest/dedup-store.js';
import { intakeEvent, type Intake } from '../../src/ingest/event-intake.js';
import { IngestService, type EventClaims, type EventSender } from '../../src/ingest/ingest-service.js';

const TENANT = '5b7a4c1e-0000-4000-8000-000000000001';

/** Ids seen within the window, per tenant; claims are pending until confirmed or released. */
class FakeClaims implements EventClaims {
  readonly seen = new Set<string>();
  readonly confirmed: string[] = [];
  readonly released: string[] = [];
  failConfirm = false;
  /** Confirmation statements that have not finished (the test holds them). */
  holdConfirm = false;
  constructor(private readonly webhookSeq?: number) {}
  async claim(tenantId: string, ids: string[]): Promise<Claim> {
    const fresh = new Set(ids.filter((id) => !this.seen.has(`${tenantId}/${id}`)));
    for (const id of fresh) this.seen.add(`${tenantId}/${id}`);
    return { fresh, webhookSeq: this.webhookSeq };
  }
  async confirm(_tenantId: string, ids: string[]): Promise<void> {
    if (this.failConfirm) throw new Error('database went away');
    this.confirmed.push(...ids);
    if (this.holdConfirm) await new Promise(() => undefined);
  }
  async release(tenantId: string, ids: string[]): Promise<void> {
    this.released.push(...ids);
    for (const id of ids) this.seen.delete(`${tenantId}/${id}`);
  }
}

class FakeSender implements EventSender {
  readonly sent: Array<{ topic: string; messages: Message[] }> = [];
  refuse = false;
  async publish(topic: string, messages: Message[]): Promise<void> {
    if (this.refuse) throw new Error('no acknowledgement from the broker within 10 ms');
    this.sent.push({ topic, messages });
  }
}

function setup(webhookSeq?: number) {
  const claims = new FakeClaims(webhookSeq);
  const sender = new FakeSender();
  const registry = new prom.Registry();
  const metrics = createGatewayMetrics(registry);
  const logs: string[] = [];
  const logger = {
    error: (_fields: object, msg: string) => void logs.push(`error ${msg}`),
    warn: (_fields: object, msg: string) => void logs.push(`warn ${msg}`),
  };
  const service = new IngestService(claims, sender, 't.events', metrics, logger);
  return { claims, sender, metrics, registry, logs, service };
}

const intake = (id: string, subject = 'conv-1'): Intake => {
  const { tenantid: _t, ...event } = fixtures.envelope('replied-message', undefined, { id, subject });
  return intakeEvent(event, TENANT, 262_144);
};
const counter = async (c: prom.Counter<string>) => (await c.get()).values.reduce((n, v) => n + v.value, 0);

describe('IngestService', () => {
  it('publishes the new events in one send (key, JSON value, headers), confirms them, and answers accepted', async () => {
    const { service, sender, claims, metrics } = setup(42);
    const results = await service.publish(TENANT, [intake('e1'), intake('e2', 'conv-2')]);
    expect(results).toEqual([
      { index: 0, id: 'e1', status: 'accepted', duplicate: false },
      { index: 1, id: 'e2', status: 'accepted', duplicate: false },
    ]);
    expect(sender.sent).toHaveLength(1);
    const [send] = sender.sent;
    expect(send!.topic).toBe('t.events');
    expect(send!.messages.map((m) => m.key)).toEqual([`${TENANT}:conv-1`, `${TENANT}:conv-2`]);
    expect(JSON.parse(String(send!.messages[0]!.value))).toMatchObject({ id: 'e1', tenantid: TENANT, type: 'replied-message' });
    expect(send!.messages[0]!.headers).toEqual({
      'content-type': 'application/cloudevents+json',
      [WEBHOOKS_SEQ_HEADER]: '42',
      [VALIDATED_WITH_HEADER]: CATALOGUE_DIGEST,
    });
    expect(claims.confirmed).toEqual(['e1', 'e2']);
    expect(await counter(metrics.accepted)).toBe(2);
  });

  it('omits the webhook change counter header when the claim did not read one', async () => {
    const { service, sender } = setup(undefined);
    await service.publish(TENANT, [intake('e1')]);
    expect(sender.sent[0]!.messages[0]!.headers).toEqual({ 'content-type': 'application/cloudevents+json', [VALIDATED_WITH_HEADER]: CATALOGUE_DIGEST });
  });

  it('publishes a repeated id once: the first occurrence decides, the others and ids of earlier requests are duplicates', async () => {
    const { service, sender, metrics } = setup();
    await service.publish(TENANT, [intake('old')]);
    const results = await service.publish(TENANT, [intake('e1'), intake('old'), intake('e1')]);
    expect(results.map((r) => [r.id, r.status, r.status === 'accepted' && r.duplicate])).toEqual([
      ['e1', 'accepted', false],
      ['old', 'accepted', true],
      ['e1', 'accepted', true],
    ]);
    expect(sender.sent.map((s) => s.messages.length)).toEqual([1, 1]);
    expect(await counter(metrics.duplicates)).toBe(2);
  });

  it('reports refused items with their index, status and details, publishes the others, and counts the reason', async () => {
    const { service, sender, metrics } = setup();
    const bad = intakeEvent({ ...fixtures.envelope('replied-message'), tenantid: 'someone-else', id: 'x1' }, TENANT, 262_144);
    const results = await service.publish(TENANT, [bad, intake('e1')]);
    expect(results[0]).toEqual({
      index: 0,
      id: 'x1',
      status: 'rejected',
      code: 400,
      error: 'tenantid does not match the tenant of the API key',
      details: [{ path: '/tenantid', message: 'must be omitted or equal to the tenant of the API key', rule: 'tenant' }],
    });
    expect(results[1]).toMatchObject({ id: 'e1', status: 'accepted' });
    expect(sender.sent[0]!.messages).toHaveLength(1);
    expect((await metrics.rejected.get()).values).toEqual([expect.objectContaining({ labels: { reason: 'tenant_mismatch' }, value: 1 })]);
  });

  it('when the broker does not acknowledge: releases the claims, confirms nothing and fails as Unavailable (retry after 1 s)', async () => {
    const { service, sender, claims, logs } = setup();
    sender.refuse = true;
    const failure = await service.publish(TENANT, [intake('e1'), intake('e2')]).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Unavailable);
    expect(failure).toMatchObject({ retryAfterS: 1, message: expect.stringMatching(/nothing was accepted/) });
    expect(claims.released).toEqual(['e1', 'e2']);
    expect(claims.confirmed).toEqual([]);
    expect(logs).toEqual(['error broker did not acknowledge events; releasing their dedup claims']);
    // The released ids are new again: the client's retry publishes them.
    sender.refuse = false;
    expect((await service.publish(TENANT, [intake('e1')]))[0]).toMatchObject({ status: 'accepted', duplicate: false });
  });

  it('still answers accepted when the confirmation fails (the events are in Kafka), with a warning', async () => {
    const { service, claims, logs } = setup();
    claims.failConfirm = true;
    expect(await service.publish(TENANT, [intake('e1')])).toEqual([{ index: 0, id: 'e1', status: 'accepted', duplicate: false }]);
    // The answer does not wait for the confirmation; its failure is logged when it comes.
    await new Promise((r) => setImmediate(r));
    expect(logs).toEqual(['warn could not confirm dedup claims; a retry of these ids will publish them again']);
  });

  it('answers accepted once the broker acknowledged, without waiting for the confirmation statement', async () => {
    const { service, claims, sender } = setup();
    claims.holdConfirm = true;
    expect(await service.publish(TENANT, [intake('e1')])).toEqual([{ index: 0, id: 'e1', status: 'accepted', duplicate: false }]);
    expect(sender.sent).toHaveLength(1);
    expect(claims.confirmed).toEqual(['e1']);
  });

  it('sends nothing when every item is refused or a duplicate', async () => {
    const { service, sender, claims } = setup();
    const notAnObject = intakeEvent('nope', TENANT, 262_144);
    const results = await service.publish(TENANT, [notAnObject]);
    expect(results).toEqual([{ index: 0, status: 'rejected', code: 400, error: 'an event must be a JSON object (a structured CloudEvent)' }]);
    expect(sender.sent).toEqual([]);
    expect(claims.confirmed).toEqual([]);
  });
});
