import { PayloadTransform, type PayloadTransform as Transform } from '@hookstream/service-kit';
import type { ErrorDetail } from '../domain/errors.js';

/** The compiled transform, or the 400 detail naming `path` with JSONata's message and position. */
export function compileTransformAt(text: string, path: string): { transform: Transform } | { error: ErrorDetail } {
  const compiled = PayloadTransform.compile(text);
  if (compiled.ok) return { transform: compiled.transform };
  // The message carries JSONata's error code and the character position it reports.
  return { error: { path, message: `the JSONata expression ${compiled.message}`, rule: 'transform' } };
}
