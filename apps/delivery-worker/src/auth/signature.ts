import { createHmac } from 'node:crypto';

/**
 * The HMAC key of a signing secret, as Standard Webhooks reads it: a `whsec_` secret is the
 * base64 of the key bytes; any other secret is used as its UTF-8 bytes.
 */
export function signingKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/**
 * `webhook-signature` value of the Standard Webhooks scheme: `v1,` + base64 HMAC-SHA256 of
 * `<webhook-id>.<webhook-timestamp>.<body>`, so partners can verify with existing libraries.
 */
export function webhookSignature(secret: string, id: string, timestampS: number, body: string): string {
  const mac = createHmac('sha256', signingKey(secret)).update(`${id}.${timestampS}.${body}`).digest('base64');
  return `v1,${mac}`;
}
