import { ConfigError, readConfig, SecretBox, secretKeyRingConfig } from '@hookstream/service-kit';
import { resealSecrets, type ResealCounts } from '@hookstream/store';
import type { CliContext } from '../context.js';

export interface ResealOutcome {
  sealingKeyId: string;
  tables: ResealCounts[];
  stopped: boolean;
}

/** The key ring the services use (HOOKSTREAM_SECRET_KEYS, or HOOKSTREAM_SECRET_KEY as the ring `v1`). */
export function secretBoxFromEnv(): SecretBox {
  try {
    return new SecretBox(readConfig({ HOOKSTREAM_SECRET_KEYS: secretKeyRingConfig }).HOOKSTREAM_SECRET_KEYS);
  } catch (e) {
    if (e instanceof ConfigError) throw new Error(`configuration error: ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * `secrets reseal`: every sealed secret under the ring's first key. Progress and the rows that
 * cannot be opened go to stderr (ids only, never a value); SIGINT stops after the batch in
 * progress, and a rerun finishes the work.
 */
export async function resealAll(ctx: CliContext, batchSize: number, log: (line: string) => void): Promise<ResealOutcome> {
  const box = secretBoxFromEnv();
  const controller = new AbortController();
  const stop = () => {
    log('stopping after the batch in progress (run the command again to finish)');
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const { tables, stopped } = await resealSecrets(ctx.db, box, {
      batchSize,
      signal: controller.signal,
      onBatch: (p) => log(`${p.table}: ${p.resealed} resealed${p.failed ? `, ${p.failed} failed` : ''}`),
      onFailure: (f) => log(`cannot reseal ${f.row}: ${f.reason}`),
    });
    return { sealingKeyId: box.sealingKeyId, tables, stopped };
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
