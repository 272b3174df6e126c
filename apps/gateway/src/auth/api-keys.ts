import { randomBytes } from 'node:crypto';
import { hashToken } from '@hookstream/service-kit';

/** `hs_` followed by 32 random bytes in base64url (43 characters). */
export const API_KEY_PATTERN = /^hs_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): string {
  return `hs_${randomBytes(32).toString('base64url')}`;
}

/** What is stored: the hash (for lookup) and a hint that lets a person tell keys apart. */
export function apiKeyRecord(key: string): { api_key_hash: string; api_key_hint: string } {
  return { api_key_hash: hashToken(key), api_key_hint: `hs_...${key.slice(-4)}` };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return m?.[1];
}
