import fc from 'fast-check';
import {
  createDeliveryJob,
  deliveredBodiesOf,
  encodeDeliveryJobRecord,
  EVENT_TYPES,
  FirstAttemptJobRecords,
  fixtures,
  jobWebhook,
  renderDeliveredBody,
  type CloudEvent,
  type NotificationChannel,
} from '../src/index.js';

// The matcher serialises jobs through deliveredBodiesOf + FirstAttemptJobRecords; the records
// are a contract, so they must be byte for byte what the object path gives.

const json = fc.jsonValue({ maxDepth: 2 });
// The mark deliveredBodiesOf serialises in place of a notification's channels: published data
// that holds it must still get its own body.
const CHANNELS_MARK = '\u0001hookstream:channels\u0002';
const extraData = fc.dictionary(
  fc.oneof(fc.string(), fc.constantFrom('webhook', 'event_id', 'type', 'channels', '0', '__proto__', CHANNELS_MARK)),
  fc.oneof(json, fc.constant(CHANNELS_MARK)),
  { maxKeys: 6 },
);
const channels = fc.option(fc.subarray<NotificationChannel>(['email', 'in-app'], { minLength: 1 }), { nil: undefined });

function eventOf(type: string, extra: Record<string, unknown>, id: string): CloudEvent {
  const data = { ...fixtures.eventData(type), ...extra };
  return fixtures.envelope(type, data, { id }) as CloudEvent;
}

describe('deliveredBodiesOf', () => {
  it('renders what JSON.stringify(renderDeliveredBody(...)) gives, for every type and any extra data', () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_TYPES), extraData, fc.string(), fc.webUrl(), channels, channels, (type, extra, id, uri, first, second) => {
        const event = eventOf(type, extra, id);
        const bodies = deliveredBodiesOf(event);
        for (const c of [first, second, first]) {
          const options = { webhookUri: uri, ...(c ? { channels: c } : {}) };
          expect(bodies.render(options)).toBe(JSON.stringify(renderDeliveredBody(event, options)));
          const other = { ...options, webhookUri: `${uri}/other` };
          expect(bodies.render(other)).toBe(JSON.stringify(renderDeliveredBody(event, other)));
          expect(bodies.renderFor(uri, c, JSON.stringify(uri))).toBe(JSON.stringify(renderDeliveredBody(event, options)));
          // A copy of the list is found by its contents, not its identity.
          expect(bodies.renderFor(uri, c && [...c])).toBe(JSON.stringify(renderDeliveredBody(event, options)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("splices the data's JSON text as the record carried it: the same bytes for JSON.stringify's text, the same values for any other", () => {
    fc.assert(
      fc.property(fc.constantFrom(...EVENT_TYPES), extraData, fc.string(), fc.webUrl(), channels, channels, (type, extra, id, uri, first, second) => {
        const event = eventOf(type, extra, id);
        const serialised = deliveredBodiesOf(event);
        const spliced = deliveredBodiesOf(event, JSON.stringify(event.data));
        // Another producer's spacing: the text differs, what it decodes to does not.
        const spaced = deliveredBodiesOf(event, JSON.stringify(event.data, null, 1));
        for (const c of [first, second, first]) {
          const want = serialised.renderFor(uri, c);
          expect(spliced.renderFor(uri, c, JSON.stringify(uri))).toBe(want);
          expect(JSON.parse(spaced.renderFor(uri, c))).toEqual(JSON.parse(want));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('puts the members a notification body sets where the data has them, and after the data otherwise', () => {
    const cases: Record<string, unknown>[] = [
      {},
      { channels: ['email'], type: 'x', event_id: 'mine', a: { type: 'nested', channels: [] } },
      { a: 1, channels: ['in-app'] },
      { type: 7, b: [{ event_id: 1 }], event_id: 3 },
      { 0: 'first', z: '"quoted" \\ é' },
    ];
    for (const data of cases) {
      const event = { ...fixtures.envelope('user-mentioned', undefined, { id: 'e-1' }), data } as CloudEvent;
      for (const c of [['email'], ['in-app', 'email']] as NotificationChannel[][]) {
        const want = JSON.stringify(renderDeliveredBody(event, { webhookUri: 'urn:w', channels: c }));
        expect(deliveredBodiesOf(event, JSON.stringify(data)).renderFor('urn:w', c)).toBe(want);
      }
    }
  });

  it('serialises in full a notification whose data holds the channels mark', () => {
    for (const data of [{ note: CHANNELS_MARK }, { [CHANNELS_MARK]: 1 }, { channels: CHANNELS_MARK }]) {
      const event = eventOf('user-mentioned', data, 'e-1');
      const bodies = deliveredBodiesOf(event);
      for (const channels of [['email'], ['email', 'in-app'], ['in-app']] as NotificationChannel[][]) {
        expect(bodies.renderFor('urn:w', channels)).toBe(JSON.stringify(renderDeliveredBody(event, { webhookUri: 'urn:w', channels })));
      }
    }
  });

  it('renders an activity with empty data and refuses an unknown type', () => {
    const event = fixtures.envelope('jive:created', {}, { id: 'e' }) as CloudEvent;
    expect(deliveredBodiesOf(event).render({ webhookUri: 'urn:w' })).toBe('{"webhook":"urn:w"}');
    expect(() => deliveredBodiesOf(fixtures.envelope('nope', {}) as CloudEvent)).toThrow(/unknown event type/);
  });
});

describe('FirstAttemptJobRecords', () => {
  it('encodes what encodeDeliveryJobRecord(createDeliveryJob(...)) gives', () => {
    fc.assert(
      fc.property(
        fc.record({
          event_id: fc.oneof(fc.string({ minLength: 1 }), fc.uuid()),
          tenant_id: fc.uuid(),
          event_type: fc.string({ minLength: 1 }),
          published_at: fc.option(fc.oneof(fc.nat(), fc.double()), { nil: undefined }),
          envelope: fc.option(
            fc.oneof(
              fc.record({ source: fc.string(), subject: fc.string(), time: fc.string() }, { requiredKeys: ['source'] }),
              // Members in another order, or undefined, are serialised as JSON.stringify does.
              fc.record({ time: fc.string(), source: fc.string(), subject: fc.constant(undefined) }, { requiredKeys: ['source'] }),
              fc.record({ subject: fc.uuid(), source: fc.webUrl() }),
            ),
            { nil: undefined },
          ),
          now: fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        }),
        fc.array(
          fc.tuple(
            fc.string({ minLength: 1 }),
            fc.option(fc.nat(), { nil: undefined }),
            fc.dictionary(fc.string(), json, { maxKeys: 4 }),
            fc.option(fc.string(), { nil: undefined }),
          ),
          { minLength: 1, maxLength: 4 },
        ),
        (shared, webhooks) => {
          const { published_at, envelope, ...base } = shared;
          const rest = envelope === undefined ? base : { ...base, envelope };
          const input = published_at === undefined ? rest : { ...rest, published_at };
          const records = new FirstAttemptJobRecords(input);
          for (const [webhookId, revision, body, orderingKey] of webhooks) {
            const expected = encodeDeliveryJobRecord(
              createDeliveryJob({
                ...input,
                webhook_id: webhookId,
                ...(revision !== undefined ? { webhook_revision: revision } : {}),
                ...(orderingKey !== undefined ? { ordering_key: orderingKey } : {}),
                body,
              }),
            );
            expect(records.encode(webhookId, revision, JSON.stringify(body), orderingKey)).toEqual(expected);
            expect(records.encodeFor(jobWebhook(webhookId, revision), JSON.stringify(body), orderingKey)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
