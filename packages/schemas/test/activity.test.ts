import {
  CONTENT_VERBS,
  contentActivitySchemas,
  contentRoutingKeys,
  contentTypeOf,
  EVENT_CATALOGUE,
  fixtures,
  MAX_ACTIVITY_CONTENT_CHARS,
  SYSTEM_CATEGORIES,
  SYSTEM_EVENT_CATEGORIES,
  SYSTEM_VERB_CATEGORY,
  SYSTEM_VERBS,
  systemCategoryOf,
  validate,
  validateEvent,
} from '../src/index.js';
import type { ContentVerb, SystemVerb } from '../src/index.js';

const errorsOf = (envelope: unknown) => {
  const r = validateEvent(envelope);
  return r.ok ? [] : r.errors;
};

function withData(type: ContentVerb | SystemVerb, mutate: (data: Record<string, any>) => void) {
  const envelope = fixtures.envelope(type);
  mutate(envelope.data as Record<string, any>);
  return envelope;
}

describe('system event categories', () => {
  it('are the six of the seed with every verb listed', () => {
    expect(SYSTEM_CATEGORIES).toEqual(['user_account', 'user_session', 'user_membership', 'social_group', 'stream', 'webhook']);
    expect(SYSTEM_EVENT_CATEGORIES.user_account).toHaveLength(8);
    expect(SYSTEM_EVENT_CATEGORIES.user_session).toEqual(['jive:user_session_login', 'jive:user_session_logout']);
    expect(SYSTEM_EVENT_CATEGORIES.user_membership).toEqual(['jive:user_membership_added', 'jive:user_membership_removed']);
    expect(SYSTEM_EVENT_CATEGORIES.social_group).toHaveLength(3);
    expect(SYSTEM_EVENT_CATEGORIES.stream).toHaveLength(5);
    expect(SYSTEM_EVENT_CATEGORIES.webhook).toContain('jive:webhook_marked_buggy');
    expect(SYSTEM_EVENT_CATEGORIES.webhook).toContain('jive:webhook_marked_not_buggy');
    expect(SYSTEM_EVENT_CATEGORIES.webhook).toContain('jive:webhook_secret_rotated'); // hookstream's own (issue 18.1)
    expect(SYSTEM_VERBS).toHaveLength(27);
  });

  it('map each verb back to its category', () => {
    for (const category of SYSTEM_CATEGORIES) {
      for (const verb of SYSTEM_EVENT_CATEGORIES[category]) {
        expect(SYSTEM_VERB_CATEGORY[verb]).toBe(category);
        expect(systemCategoryOf(verb)).toBe(category);
        expect(EVENT_CATALOGUE[verb].category).toBe(category);
      }
    }
    expect(systemCategoryOf('jive:created')).toBeUndefined();
    expect(systemCategoryOf('toString')).toBeUndefined();
  });
});

describe('content activities', () => {
  it('cover the six content verbs', () => {
    expect(CONTENT_VERBS).toEqual(['jive:created', 'jive:modified', 'jive:commented', 'jive:replied', 'jive:liked', 'jive:outcome_set']);
  });

  it(`limits content to ${MAX_ACTIVITY_CONTENT_CHARS} characters`, () => {
    expect(errorsOf(withData('jive:created', (d) => (d.content = 'é'.repeat(500))))).toEqual([]);
    expect(errorsOf(withData('jive:created', (d) => (d.content = 'x'.repeat(501))))).toEqual([
      { path: '/data/content', message: 'must NOT have more than 500 characters', rule: 'maxLength' },
    ]);
  });

  it('requires ISO 8601 date-times with a zone', () => {
    expect(errorsOf(withData('jive:modified', (d) => (d.updated = '2024-03-15 16:02')))).toEqual([
      expect.objectContaining({ path: '/data/updated', rule: 'format' }),
    ]);
    expect(errorsOf(withData('jive:modified', (d) => (d.published = '2024-03-15T16:02:11+02:00')))).toEqual([]);
  });

  it('needs an id (URI) and objectType on object and target, since they route the event', () => {
    expect(errorsOf(withData('jive:liked', (d) => delete d.target.id))).toEqual([
      { path: '/data/target/id', message: "must have required property 'id'", rule: 'required' },
    ]);
    expect(errorsOf(withData('jive:liked', (d) => (d.object.id = 'not a uri')))).toEqual([
      { path: '/data/object/id', message: 'must be an absolute URI', rule: 'format' },
    ]);
    expect(errorsOf(withData('jive:liked', (d) => delete d.target))).toEqual([]);
  });

  it('verb must be the envelope type', () => {
    expect(errorsOf(withData('jive:liked', (d) => (d.verb = 'jive:created')))).toEqual([
      { path: '/data/verb', message: 'must be equal to "jive:liked"', rule: 'const' },
    ]);
  });

  it.each(CONTENT_VERBS)('%s: webhook is optional when published and required when delivered', (verb) => {
    expect(errorsOf(withData(verb, (d) => delete d.webhook))).toEqual([]);
    const body = fixtures.deliveredBody(verb);
    expect(validate(contentActivitySchemas[verb].delivered, body).ok).toBe(true);
    delete body.webhook;
    const r = validate(contentActivitySchemas[verb].delivered, body);
    expect(r.ok ? [] : r.errors).toEqual([{ path: '/webhook', message: "must have required property 'webhook'", rule: 'required' }]);
  });

  it('passes unknown fields through unchanged', () => {
    const envelope = withData('jive:created', (d) => {
      d.generator = { id: 'urn:jive:app:1' };
      d.object.summary = '<p>Checklist</p>';
    });
    const snapshot = structuredClone(envelope);
    expect(validateEvent(envelope).ok).toBe(true);
    expect(envelope).toEqual(snapshot);
  });
});

describe('system activities', () => {
  it('need verb, jive and timestamp', () => {
    expect(errorsOf(withData('jive:user_session_login', (d) => delete d.jive))).toEqual([
      { path: '/data/jive', message: "must have required property 'jive'", rule: 'required' },
    ]);
    expect(errorsOf(withData('jive:user_session_login', (d) => (d.timestamp = 1710408413)))).toEqual([
      { path: '/data/timestamp', message: 'must be string', rule: 'type' },
    ]);
  });

  it('accept string or numeric ids and types', () => {
    expect(errorsOf(withData('jive:webhook_created', (d) => (d.jive = { objectID: 'wh_1', objectType: 'webhook' })))).toEqual([]);
    expect(errorsOf(withData('jive:webhook_created', (d) => (d.jive = { objectID: 12, objectType: 3 })))).toEqual([]);
    expect(errorsOf(withData('jive:webhook_created', (d) => (d.jive = { objectID: true, objectType: 3 })))).toEqual([
      { path: '/data/jive/objectID', message: 'must be string or integer', rule: 'type' },
    ]);
  });

  it('give containerID and containerType together', () => {
    expect(errorsOf(withData('jive:user_membership_added', (d) => delete d.jive.containerType))).toEqual([
      { path: '/data/jive/containerType', message: "must have property 'containerType' when 'containerID' is present", rule: 'dependentRequired' },
    ]);
  });
});

describe('routing helpers', () => {
  it('contentRoutingKeys returns target, object and parent URIs, distinct', () => {
    const commented = fixtures.contentActivities['jive:commented'];
    expect(contentRoutingKeys(commented)).toEqual([
      'https://sample.jiveon.com/api/core/v3/places/1020',
      'https://sample.jiveon.com/api/core/v3/comments/5133',
      'https://sample.jiveon.com/api/core/v3/contents/2051',
    ]);
    expect(contentRoutingKeys({ object: { id: 'urn:x:1' }, target: { id: 'urn:x:1' }, jive: { parent: { id: 'urn:x:2' } } })).toEqual(['urn:x:1', 'urn:x:2']);
    expect(contentRoutingKeys({})).toEqual([]);
  });

  it('contentTypeOf drops the namespace, as the seed\'s "events": "document" filter expects', () => {
    expect(contentTypeOf(fixtures.contentActivities['jive:created'])).toBe('document');
    expect(contentTypeOf({ object: { objectType: 'Discussion' } })).toBe('discussion');
    expect(contentTypeOf({ object: {} })).toBeUndefined();
  });
});
