export type { AttemptRow, DeliveryRow, DeliveryStatus } from '@hookstream/store';
// The status ranking is defined once, in the store, next to the SQL that applies it.
export { isNewerOrSame } from '@hookstream/store';

/** PostgreSQL text cannot hold NUL characters; partner responses sometimes do. */
export function dbText(value: string | undefined | null, max = 4096): string | null {
  if (value === undefined || value === null) return null;
  return value.replaceAll('\u0000', '').slice(0, max);
}
