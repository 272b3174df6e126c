import type { ValidationError } from './validation.js';

/**
 * Major version of the Kafka record shapes (delivery jobs, dead letters, invalid-event records).
 * Within a major version changes are additive only (new optional fields), so a reader accepts
 * fields it does not know; a different major version is rejected.
 */
export const RECORD_VERSION = 1 as const;

/** A clear error when `value.v` is present but not a version this reader understands; otherwise null. */
export function unsupportedVersion(value: unknown, kind: string, supported: number = RECORD_VERSION): ValidationError | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = (value as { v?: unknown }).v;
  if (v === undefined || v === supported) return null;
  return {
    path: '/v',
    message: `unsupported ${kind} version ${JSON.stringify(v)}; this reader understands v${supported}`,
    rule: 'version',
  };
}
