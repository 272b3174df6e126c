/** The raw request body, exactly as received. */
export type WebhookBody = string | Uint8Array | ArrayBuffer;

/** The bytes that were signed: a string is read as UTF-8, bytes as they are. */
export function bodyBytes(body: WebhookBody): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  throw new TypeError(
    'verify() needs the raw request body (a string, Buffer, Uint8Array or ArrayBuffer, exactly as received); a parsed JSON object cannot be verified because serialising it again changes the bytes',
  );
}
