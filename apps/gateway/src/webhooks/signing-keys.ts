import { ed25519PublicKeyOf, generateEd25519SecretKey, generateSigningSecret, isEd25519SecretKey, type SignatureScheme } from '@hookstream/schemas';
import type { WebhookSecrets } from '@hookstream/store';

/** A new signing key of the scheme: a `whsec_` HMAC secret or a `whsk_` Ed25519 private key. */
export function newSigningKey(scheme: SignatureScheme): string {
  return scheme === 'ed25519' ? generateEd25519SecretKey() : generateSigningSecret();
}

export function schemeOfKey(key: string): SignatureScheme {
  return isEd25519SecretKey(key) ? 'ed25519' : 'hmac-sha256';
}

/** The previous key's expiry while it still signs, else undefined. */
export function previousExpiry(secrets: WebhookSecrets, now = Date.now()): string | undefined {
  const at = secrets.previous_signing_expires_at;
  return secrets.previous_signing_secret && at && Date.parse(at) > now ? at : undefined;
}

/**
 * What the API may show of a signing key: an HMAC secret itself (the partner needs it to
 * verify), an Ed25519 key only as its public half; the private `whsk_` key never leaves the row.
 */
export function shownKey(key: string): { signature_scheme: SignatureScheme; signing_secret?: string; public_key?: string } {
  return isEd25519SecretKey(key)
    ? { signature_scheme: 'ed25519', public_key: ed25519PublicKeyOf(key) ?? '' }
    : { signature_scheme: 'hmac-sha256', signing_secret: key };
}

/**
 * The answer of GET signing-secret and of a rotation: the current key as shown above, and during
 * a grace period when the previous key stops signing (and, being public, the previous public key).
 */
export function signingAnswer(secrets: WebhookSecrets & { signing_secret: string }, now = Date.now()): Record<string, unknown> {
  const until = previousExpiry(secrets, now);
  const prev = until ? secrets.previous_signing_secret! : undefined;
  return {
    ...shownKey(secrets.signing_secret),
    ...(prev && isEd25519SecretKey(prev) ? { previous_public_key: ed25519PublicKeyOf(prev) } : {}),
    previous_expires_at: until ?? null,
  };
}
