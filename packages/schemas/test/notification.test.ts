import {
  canonicalNotificationType,
  EVENT_CATALOGUE,
  fixtures,
  NOTIFICATION_TYPE_ALIASES,
  NOTIFICATION_TYPES,
  notificationSchemas,
  notificationTypeNames,
  validate,
  validateEvent,
} from '../src/index.js';
import type { NotificationType } from '../src/index.js';

const errorsOf = (envelope: unknown) => {
  const r = validateEvent(envelope);
  return r.ok ? [] : r.errors;
};

function withData(type: NotificationType, mutate: (data: Record<string, any>) => void) {
  const envelope = fixtures.envelope(type);
  mutate(envelope.data as Record<string, any>);
  return envelope;
}

describe('notification types', () => {
  it('are the nine of the seed', () => {
    expect(NOTIFICATION_TYPES).toEqual([
      'followee-commented',
      'liked-message',
      'message-approved',
      'message-rejected',
      'replied-message',
      'topic-by-author',
      'topic-by-keyword',
      'user-followed',
      'user-mentioned',
    ]);
  });

  it('resolves aliases to canonical names', () => {
    expect(canonicalNotificationType('liked-messages')).toBe('liked-message');
    expect(canonicalNotificationType('replied-your-message')).toBe('replied-message');
    expect(canonicalNotificationType('user-mentioned')).toBe('user-mentioned');
    expect(canonicalNotificationType('user-poked')).toBeUndefined();
    expect(notificationTypeNames('liked-message')).toEqual(['liked-message', 'liked-messages']);
    expect(Object.keys(NOTIFICATION_TYPE_ALIASES).sort()).toEqual(['liked-messages', 'replied-your-message']);
  });

  it('accepts an alias as the envelope type and as data.type', () => {
    const r = validateEvent(withData('liked-message', (d) => (d.type = 'liked-messages')));
    expect(r.ok).toBe(true);
    const aliased = fixtures.envelope('replied-your-message', fixtures.eventData('replied-message'));
    const r2 = validateEvent(aliased);
    expect(r2.ok && r2.type).toBe('replied-message');
  });

  it('rejects data.type that is not the envelope type', () => {
    const errors = errorsOf(withData('replied-message', (d) => (d.type = 'liked-message')));
    expect(errors).toContainEqual({ path: '/data/type', message: 'must be one of: replied-message, replied-your-message', rule: 'enum' });
  });

  it.each(NOTIFICATION_TYPES)('%s: event_id and type may be left out when published, not when delivered', (type) => {
    const envelope = withData(type, (d) => {
      delete d.event_id;
      delete d.type;
    });
    expect(errorsOf(envelope)).toEqual([]);
    const delivered = notificationSchemas[type].delivered;
    const body = fixtures.deliveredBody(type);
    expect(validate(delivered, body).ok).toBe(true);
    for (const field of ['event_id', 'type']) {
      const without = { ...body };
      delete without[field];
      const r = validate(delivered, without);
      expect(r.ok ? [] : r.errors).toContainEqual({ path: `/${field}`, message: `must have required property '${field}'`, rule: 'required' });
    }
    const aliasBody = { ...body, type: notificationTypeNames(type).at(-1) };
    expect(validate(delivered, aliasBody).ok).toBe(type !== 'liked-message' && type !== 'replied-message');
  });
});

describe('comment content combinations', () => {
  const text = { type: 'text', text: 'Nice one' };
  const image = { type: 'image', url: 'https://images.example/a.png' };
  const animation = { type: 'animation', url: 'https://media.example/a.gif' };

  it.each([
    ['text', [text]],
    ['image', [image]],
    ['animation', [animation]],
    ['text + image', [text, image]],
    ['text + animation', [text, animation]],
    ['image + text', [image, text]],
  ])('accepts %s', (_name, content) => {
    expect(errorsOf(withData('user-mentioned', (d) => (d.comment.content = content)))).toEqual([]);
  });

  it.each([
    ['nothing', [], 'minItems'],
    ['text + text', [text, text], 'not'],
    ['image + animation', [image, animation], 'not'],
    ['image + image', [image, image], 'not'],
    ['three parts', [text, image, text], 'maxItems'],
  ])('rejects %s', (_name, content, rule) => {
    const errors = errorsOf(withData('user-mentioned', (d) => (d.comment.content = content)));
    expect(errors).toEqual([expect.objectContaining({ path: '/data/comment/content', rule })]);
  });

  it('explains the allowed combinations', () => {
    const [error] = errorsOf(withData('user-mentioned', (d) => (d.comment.content = [text, text])));
    expect(error?.message).toMatch(/must be one of: text, image, animation, text \+ image, text \+ animation/);
  });

  it('requires text for a text part and url for image / animation parts', () => {
    expect(errorsOf(withData('user-mentioned', (d) => (d.comment.content = [{ type: 'text' }])))).toEqual([
      { path: '/data/comment/content/0/text', message: "must have required property 'text'", rule: 'required' },
    ]);
    expect(errorsOf(withData('user-mentioned', (d) => (d.comment.content = [text, { type: 'animation' }])))).toEqual([
      { path: '/data/comment/content/1/url', message: "must have required property 'url'", rule: 'required' },
    ]);
  });

  it('rejects an unknown part type by path', () => {
    expect(errorsOf(withData('user-mentioned', (d) => (d.comment.content = [{ type: 'video', url: 'https://v.example/x' }])))).toEqual([
      { path: '/data/comment/content/0/type', message: 'must be one of: text, image, animation', rule: 'enum' },
    ]);
  });
});

describe('per-type rules', () => {
  it('message-approved / message-rejected require the matching comment state', () => {
    expect(errorsOf(withData('message-approved', (d) => (d.comment.state = 'rejected')))).toEqual([
      { path: '/data/comment/state', message: 'must be equal to "approved"', rule: 'const' },
    ]);
    expect(errorsOf(withData('message-rejected', (d) => delete d.comment.state))).toEqual([
      { path: '/data/comment/state', message: "must have required property 'state'", rule: 'required' },
    ]);
  });

  it('a reply is of type reply', () => {
    expect(errorsOf(withData('replied-message', (d) => (d.reply.type = 'comment')))).toEqual([
      { path: '/data/reply/type', message: 'must be equal to "reply"', rule: 'const' },
    ]);
  });

  it('followers and followees are registered users', () => {
    expect(errorsOf(withData('user-followed', (d) => (d.follower.registered = false)))).toEqual([
      { path: '/data/follower/registered', message: 'must be equal to true', rule: 'const' },
    ]);
    expect(errorsOf(withData('followee-commented', (d) => (d.followee.registered = false)))).toHaveLength(1);
    expect(errorsOf(withData('liked-message', (d) => (d.liker.registered = false)))).toEqual([]);
  });

  it('sso_user_id is optional (not returned for non-SSO)', () => {
    expect(errorsOf(withData('user-mentioned', (d) => delete d.user.sso_user_id))).toEqual([]);
  });

  it('user-followed needs no conversation fields, the others do', () => {
    expect(errorsOf(withData('user-followed', (d) => delete d.conversation_id))).toEqual([]);
    expect(errorsOf(withData('user-mentioned', (d) => delete d.conversation_id))).toEqual([
      { path: '/data/conversation_id', message: "must have required property 'conversation_id'", rule: 'required' },
    ]);
  });

  it('topic-by-author needs authors, topic-by-keyword needs keywords', () => {
    expect(errorsOf(withData('topic-by-author', (d) => delete d.keywords))).toEqual([]);
    expect(errorsOf(withData('topic-by-keyword', (d) => delete d.authors))).toEqual([]);
    expect(errorsOf(withData('topic-by-author', (d) => delete d.authors))).toEqual([
      { path: '/data/authors', message: "must have required property 'authors'", rule: 'required' },
    ]);
    expect(errorsOf(withData('topic-by-keyword', (d) => (d.keywords = [])))).toEqual([
      { path: '/data/keywords', message: 'must NOT have fewer than 1 items', rule: 'minItems' },
    ]);
  });

  it('timestamps are integer epoch seconds; milliseconds are caught', () => {
    expect(errorsOf(withData('replied-message', (d) => (d.comment.timestamp = 1643201248000)))).toEqual([
      { path: '/data/comment/timestamp', message: 'must be <= 99999999999', rule: 'maximum' },
    ]);
    expect(errorsOf(withData('replied-message', (d) => (d.comment.timestamp = 1643201248.5)))).toEqual([
      { path: '/data/comment/timestamp', message: 'must be integer', rule: 'type' },
    ]);
  });

  it('channels are email or in-app, at least one, no duplicates', () => {
    expect(errorsOf(withData('liked-message', (d) => (d.channels = ['sms'])))).toEqual([
      { path: '/data/channels/0', message: 'must be one of: email, in-app', rule: 'enum' },
    ]);
    expect(errorsOf(withData('liked-message', (d) => (d.channels = []))).map((e) => e.rule)).toEqual(['minItems']);
    expect(errorsOf(withData('liked-message', (d) => (d.channels = ['email', 'email']))).map((e) => e.rule)).toEqual(['uniqueItems']);
  });

  it('action_link must be an http(s) URL', () => {
    expect(errorsOf(withData('user-followed', (d) => (d.action_link = 'javascript:alert(1)')))).toEqual([
      { path: '/data/action_link', message: 'must be an http:// or https:// URL', rule: 'pattern' },
    ]);
  });
});

describe('unknown fields in notification payloads', () => {
  it('are kept and passed through unchanged', () => {
    const envelope = withData('replied-message', (d) => {
      d.publisher_note = { campaign: 'winter' };
      d.user.avatar_url = 'https://cdn.example/a.png';
      d.comment.content[0].mentions = ['u_1'];
    });
    const snapshot = structuredClone(envelope);
    const r = validateEvent(envelope);
    expect(r.ok).toBe(true);
    expect(r.ok && r.value).toBe(envelope);
    expect(envelope).toEqual(snapshot);
  });
});

describe('catalogue entries of notifications', () => {
  it.each(NOTIFICATION_TYPES)('%s is a notification entry', (type) => {
    expect(EVENT_CATALOGUE[type].family).toBe('notification');
    expect(EVENT_CATALOGUE[type].published).toBe(notificationSchemas[type].published);
  });
});
