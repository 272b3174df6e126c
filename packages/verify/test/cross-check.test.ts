// Issue 18.3: @hookstream/verify must agree with the reference verifiers partners already use
// (the `standardwebhooks` library and `svix`, which wraps its own pinned copy of it) on every
// `v1` delivery: the same signed request is handed to all three and their verdicts compared.
import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { verify } from '../src/index.js';

const require = createRequire(import.meta.url);
type RefWebhook = new (secret: string) => { verify(payload: string | Uint8Array, headers: Record<string, string>, opts?: { jsonParse?: boolean }): unknown };
const { Webhook: StandardWebhook } = require('standardwebhooks') as { Webhook: RefWebhook };
const { Webhook: SvixWebhook } = require('svix') as { Webhook: RefWebhook };

type Body = string | Uint8Array;
interface Delivery {
  body: Body;
  headers: Record<string, string>;
}

const nowS = () => Math.floor(Date.now() / 1000);
const secretOf = (bytes: number) => 'whsec_' + randomBytes(bytes).toString('base64');

/** A `v1` signature made by hand (not with any of the verifiers under comparison). */
function v1(secret: string, id: string, ts: number, body: Body): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return 'v1,' + createHmac('sha256', key).update(`${id}.${ts}.`).update(body).digest('base64');
}

function delivery(secrets: string[], opts: { id?: string; ts?: number; body?: Body } = {}): Delivery {
  const id = opts.id ?? 'msg_' + randomBytes(8).toString('hex');
  const ts = opts.ts ?? nowS();
  const body = opts.body ?? JSON.stringify({ type: 'user-mentioned', data: { text: 'héllo ✓', n: 1 } });
  return { body, headers: { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': secrets.map((s) => v1(s, id, ts, body)).join(' ') } };
}

/** Accepted when any of the keys verifies: the reference libraries take one secret each, so rotation means trying each. */
function verdicts(d: Delivery, keys: string[]): { ours: boolean; standardwebhooks: boolean; svix: boolean } {
  const accepts = (fn: () => unknown) => {
    try {
      fn();
      return true;
    } catch {
      return false;
    }
  };
  return {
    ours: accepts(() => verify(d.body, d.headers, keys)),
    standardwebhooks: keys.some((k) => accepts(() => new StandardWebhook(k).verify(d.body, d.headers, { jsonParse: false }))),
    // svix parses the body as JSON after verifying; every body here is JSON.
    svix: keys.some((k) => accepts(() => new SvixWebhook(k).verify(d.body, d.headers))),
  };
}

const tamper = (d: Delivery, header: string, value: string): Delivery => ({ ...d, headers: { ...d.headers, [header]: value } });

describe('issue 18.3: verify() agrees with standardwebhooks and svix on every v1 case', () => {
  const secret = secretOf(32);
  const other = secretOf(32);

  const cases: Array<[string, () => { d: Delivery; keys: string[] }, boolean]> = [
    ['a valid delivery', () => ({ d: delivery([secret]), keys: [secret] }), true],
    ['a valid delivery, body given as bytes', () => ({ d: { ...delivery([secret], { body: Buffer.from('{"a":"é"}') }) }, keys: [secret] }), true],
    ['a tampered body', () => ({ d: { ...delivery([secret]), body: '{"type":"user-mentioned","data":{"text":"hello","n":2}}' }, keys: [secret] }), false],
    ['a body re-serialised with a space', () => ({ d: { ...delivery([secret], { body: '{"a":1}' }), body: '{"a": 1}' }, keys: [secret] }), false],
    ['a tampered id', () => ({ d: tamper(delivery([secret]), 'webhook-id', 'msg_other'), keys: [secret] }), false],
    ['a tampered timestamp', () => ({ d: tamper(delivery([secret], { ts: nowS() - 10 }), 'webhook-timestamp', String(nowS())), keys: [secret] }), false],
    ['the wrong secret', () => ({ d: delivery([other]), keys: [secret] }), false],
    ['a timestamp 4 min 50 s old', () => ({ d: delivery([secret], { ts: nowS() - 290 }), keys: [secret] }), true],
    ['a timestamp 5 min 10 s old', () => ({ d: delivery([secret], { ts: nowS() - 310 }), keys: [secret] }), false],
    ['a timestamp a day old', () => ({ d: delivery([secret], { ts: nowS() - 86_400 }), keys: [secret] }), false],
    ['a timestamp 4 min 50 s in the future', () => ({ d: delivery([secret], { ts: nowS() + 290 }), keys: [secret] }), true],
    ['a timestamp 5 min 10 s in the future', () => ({ d: delivery([secret], { ts: nowS() + 310 }), keys: [secret] }), false],
    ['a timestamp that is not a number', () => ({ d: tamper(delivery([secret]), 'webhook-timestamp', 'yesterday'), keys: [secret] }), false],
    ['two signatures, the matching one second', () => ({ d: delivery([other, secret]), keys: [secret] }), true],
    ['two signatures, the matching one first', () => ({ d: delivery([secret, other]), keys: [secret] }), true],
    ['two signatures, neither matching', () => ({ d: delivery([other, secretOf(32)]), keys: [secret] }), false],
    [
      'an unknown version and a v1a entry before the matching v1',
      () => {
        const d = delivery([secret]);
        return { d: tamper(d, 'webhook-signature', `v2,abc v1a,${randomBytes(64).toString('base64')} ${d.headers['webhook-signature']}`), keys: [secret] };
      },
      true,
    ],
    [
      'the signature under another version label',
      () => ({ d: tamper(delivery([secret]), 'webhook-signature', delivery([secret]).headers['webhook-signature']!.replace('v1,', 'v2,')), keys: [secret] }),
      false,
    ],
    [
      'a signature with its padding removed',
      () => {
        const d = delivery([secret]);
        return { d: tamper(d, 'webhook-signature', d.headers['webhook-signature']!.replace(/=+$/, '')), keys: [secret] };
      },
      false,
    ],
    ['an empty signature header', () => ({ d: tamper(delivery([secret]), 'webhook-signature', ''), keys: [secret] }), false],
    ['a missing id header', () => ({ d: tamper(delivery([secret]), 'webhook-id', ''), keys: [secret] }), false],
    ['rotation: two keys, the delivery signed with the old one', () => ({ d: delivery([other]), keys: [secret, other] }), true],
    ['rotation: two keys, the delivery signed with the new one', () => ({ d: delivery([secret]), keys: [secret, other] }), true],
    ['rotation: two keys, the delivery signed with both', () => ({ d: delivery([secret, other]), keys: [other, secret] }), true],
    ['rotation: three keys, none of which signed', () => ({ d: delivery([secretOf(32)]), keys: [secret, other, secretOf(24)] }), false],
    ...[1, 16, 23, 24, 25, 32, 33, 48, 64, 65, 128].map((bytes): [string, () => { d: Delivery; keys: string[] }, boolean] => [
      `a whsec_ secret of ${bytes} bytes`,
      () => {
        const s = secretOf(bytes);
        return { d: delivery([s]), keys: [s] };
      },
      true,
    ]),
  ];

  it.each(cases)('%s', (_what, make, expected) => {
    const { d, keys } = make();
    expect(verdicts(d, keys)).toEqual({ ours: expected, standardwebhooks: expected, svix: expected });
  });

  it('property: on random JSON deliveries, keys, mutations and clock offsets the three verdicts are equal', () => {
    const mutation = fc.constantFrom('none', 'body', 'id', 'timestamp', 'secret', 'drop-signature') as fc.Arbitrary<string>;
    // Offsets keep 3 s away from the 300 s edges: the reference libraries read the clock themselves.
    const offset = fc.oneof(fc.integer({ min: -297, max: 297 }), fc.integer({ min: 303, max: 100_000 }), fc.integer({ min: -100_000, max: -303 }));
    fc.assert(
      fc.property(
        fc.json(),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 80 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 2 }),
        mutation,
        offset,
        fc.boolean(),
        (body, id, rawKeys, signerPick, mutate, off, asBytes) => {
          const keys = rawKeys.map((k) => 'whsec_' + Buffer.from(k).toString('base64'));
          const signer = keys[signerPick % keys.length]!;
          const ts = nowS() + off;
          const d = delivery(mutate === 'secret' ? [secretOf(32)] : [signer], { id, ts, body: asBytes ? Buffer.from(body) : body });
          if (mutate === 'body') d.body = typeof d.body === 'string' ? d.body + ' ' : Buffer.concat([d.body, Buffer.from(' ')]);
          if (mutate === 'id') d.headers['webhook-id'] = id + 'x';
          if (mutate === 'timestamp') d.headers['webhook-timestamp'] = String(ts - 1);
          if (mutate === 'drop-signature') d.headers['webhook-signature'] = d.headers['webhook-signature']!.slice(0, -4);
          const v = verdicts(d, keys);
          expect(v.standardwebhooks).toBe(v.svix);
          expect(v.ours).toBe(v.standardwebhooks);
          // And the verdict is the one expected, so the comparison cannot pass by all three being broken alike.
          expect(v.ours).toBe(mutate === 'none' && Math.abs(off) < 300);
        },
      ),
      { numRuns: 300 },
    );
  });
});
