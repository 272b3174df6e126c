import { createHmac, sign as signEd25519 } from 'node:crypto';
import { bodyBytes, type WebhookBody } from './body.js';
import { keyList, parseSigningKey } from './keys.js';

export interface SignOptions {
  /** `webhook-id`: one id per message, kept across its attempts. */
  id: string;
  /** When the attempt is made: a Date or epoch seconds; default now. */
  timestamp?: Date | number;
  /** `whsec_` secrets (v1) and/or `whsk_` secret keys (v1a); every one signs, in this order. */
  keys: string | readonly string[];
}

export type StandardWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** The Standard Webhooks headers of a delivery, for tests and a receiver's own tooling (replays, fixtures). */
export function sign(body: WebhookBody, options: SignOptions): StandardWebhookHeaders {
  const { id } = options;
  if (typeof id !== 'string' || id === '') throw new TypeError('sign() needs a non-empty id');
  const ts = options.timestamp === undefined ? Date.now() / 1000 : options.timestamp instanceof Date ? options.timestamp.getTime() / 1000 : options.timestamp;
  if (!Number.isFinite(ts) || ts < 0) throw new RangeError('timestamp must be a Date or epoch seconds');
  const timestampS = Math.floor(ts);
  const signed = Buffer.concat([Buffer.from(`${id}.${timestampS}.`, 'utf8'), bodyBytes(body)]);
  const signatures = keyList(options.keys).map((k, i) => {
    const key = parseSigningKey(k, i);
    return key.version === 'v1'
      ? `v1,${createHmac('sha256', key.hmacKey).update(signed).digest('base64')}`
      : `v1a,${signEd25519(null, signed, key.privateKey).toString('base64')}`;
  });
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampS), 'webhook-signature': signatures.join(' ') };
}
