#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { listBuggyWebhooks, pruneExpired } from '@hookstream/store';
import { consumerLag } from './commands/consumer-lag.js';
import { loadDeadLetters, replayJob, requeue } from './commands/dead-letters.js';
import { deliveriesToReplay } from './commands/history-replay.js';
import { resealAll } from './commands/secrets-reseal.js';
import { enableWebhook } from './commands/webhook-enable.js';
import { openContext, type CliContext } from './context.js';
import { parseTime, printRows } from './output.js';

const USAGE = `hookstream <command> [options]   (settings from KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, DATABASE_URL; secrets: HOOKSTREAM_SECRET_KEYS)

  dlq list     [--webhook ID] [--since T] [--until T] [--json]   dead letters on deliveries.dlq
  dlq inspect  <delivery-id> [--json]                           one dead letter with its attempts
  dlq replay   (--all | --webhook ID) [--since T] [--until T]   put dead letters back into delivery
  replay       --webhook ID --since T [--status S,S]            re-deliver a webhook's recorded deliveries
  buggy        [--json]                                         webhooks marked buggy
  enable       <webhook-id> [--no-recover] [--json]             re-enable a disabled or buggy webhook; replays what it skipped while buggy
  lag          [--json]                                         consumer lag per group and partition
  prune        [--older-than 30d] [--batch 5000]                delete expired audit rows (events, deliveries, attempts)
  secrets reseal [--batch 500] [--json]                         re-encrypt every sealed secret under the key ring's first key

  T is an ISO date-time or an age such as 30m, 12h, 7d.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    webhook: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    status: { type: 'string' },
    all: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'no-recover': { type: 'boolean', default: false },
    'older-than': { type: 'string', default: '30d' },
    batch: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

class UsageError extends Error {}

function batchOption(def: number): number {
  if (values.batch === undefined) return def;
  const n = Number(values.batch);
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--batch must be a positive integer');
  return n;
}

async function run(ctx: CliContext, [cmd, sub, arg]: string[]): Promise<void> {
  const since = parseTime(values.since, '--since');
  const until = parseTime(values.until, '--until');
  if (cmd === 'dlq' && sub === 'list') {
    const { letters, unreadable } = await loadDeadLetters(ctx, { webhook: values.webhook, since, until });
    printRows(
      letters.map(({ letter: l, partition, offset }) => ({
        delivery_id: l.job.delivery_id,
        webhook_id: l.job.webhook_id,
        event_type: l.job.event_type,
        failed_at: l.failed_at,
        attempts: l.attempts.length,
        reason: l.reason,
        at: `${partition}:${offset}`,
      })),
      values.json,
    );
    if (unreadable) process.stderr.write(`${unreadable} record(s) on the topic are not readable dead letters\n`);
    return;
  }
  if (cmd === 'dlq' && sub === 'inspect') {
    if (!arg) throw new UsageError('dlq inspect needs a delivery id');
    const { letters } = await loadDeadLetters(ctx, { delivery: arg });
    if (letters.length === 0) throw new UsageError(`no dead letter for delivery ${arg}`);
    for (const { letter } of letters) process.stdout.write(JSON.stringify(letter, null, values.json ? 0 : 2) + '\n');
    return;
  }
  if (cmd === 'dlq' && sub === 'replay') {
    if (!values.all && !values.webhook) throw new UsageError('dlq replay needs --all or --webhook ID');
    const { letters } = await loadDeadLetters(ctx, { webhook: values.webhook, since, until });
    // The same delivery can be dead-lettered twice (two cycles): replay it once, in its latest cycle + 1.
    const latest = new Map<string, (typeof letters)[number]['letter']['job']>();
    for (const { letter } of letters) {
      const seen = latest.get(letter.job.delivery_id);
      if (!seen || (letter.job.cycle ?? 0) >= (seen.cycle ?? 0)) latest.set(letter.job.delivery_id, letter.job);
    }
    const n = await requeue(
      ctx,
      [...latest.values()].map((j) => replayJob(j, (j.cycle ?? 0) + 1)),
    );
    process.stdout.write(`replayed ${n} dead letter(s) into ${ctx.topics.deliveries}\n`);
    return;
  }
  if (cmd === 'replay') {
    if (!values.webhook || !since) throw new UsageError('replay needs --webhook ID and --since T');
    const jobs = await deliveriesToReplay(ctx, values.webhook, since, values.status?.split(',').filter(Boolean));
    const n = await requeue(ctx, jobs);
    process.stdout.write(`replayed ${n} deliver${n === 1 ? 'y' : 'ies'} of webhook ${values.webhook} into ${ctx.topics.deliveries}\n`);
    return;
  }
  if (cmd === 'buggy') {
    printRows((await listBuggyWebhooks(ctx.db)) as unknown as Record<string, unknown>[], values.json);
    return;
  }
  if (cmd === 'enable') {
    if (!sub || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sub)) throw new UsageError('enable needs a webhook id (a UUID)');
    const outcome = await enableWebhook(ctx, sub, !values['no-recover']);
    if (!outcome) throw new UsageError(`no webhook ${sub}`);
    printRows([outcome as unknown as Record<string, unknown>], values.json);
    return;
  }
  if (cmd === 'lag') {
    printRows((await consumerLag(ctx)) as unknown as Record<string, unknown>[], values.json);
    return;
  }
  if (cmd === 'prune') {
    const olderThan = parseTime(values['older-than'], '--older-than')!;
    const batchSize = batchOption(5000);
    const results = await pruneExpired(ctx.db, { olderThan, batchSize });
    if (results.length === 0) process.stderr.write('another process is pruning; nothing done\n');
    printRows(results as unknown as Record<string, unknown>[], values.json);
    return;
  }
  if (cmd === 'secrets' && sub === 'reseal') {
    const outcome = await resealAll(ctx, batchOption(500), (line) => process.stderr.write(`${line}\n`));
    printRows(
      outcome.tables.map((t) => ({ table: t.table, resealed: t.resealed, already_current: t.alreadyCurrent, failed: t.failed, key_id: outcome.sealingKeyId })),
      values.json,
    );
    const failed = outcome.tables.reduce((n, t) => n + t.failed, 0);
    if (outcome.stopped) process.stderr.write('stopped before the end: run `hookstream secrets reseal` again to finish\n');
    if (failed) process.stderr.write(`${failed} sealed value(s) could not be opened with the key ring; they are left as they are\n`);
    if (outcome.stopped || failed) process.exitCode = outcome.stopped ? 130 : 1;
    return;
  }
  throw new UsageError(cmd ? `unknown command: ${[cmd, sub].filter(Boolean).join(' ')}` : 'no command given');
}

if (values.help || positionals.length === 0) {
  process.stdout.write(USAGE + '\n');
  process.exit(values.help ? 0 : 2);
}
let ctx: CliContext | undefined;
try {
  ctx = await openContext({ kafka: positionals[0] !== 'secrets' });
  await run(ctx, positionals);
  await ctx.close();
} catch (e) {
  await ctx?.close().catch(() => undefined);
  process.stderr.write(`hookstream: ${e instanceof Error ? e.message : String(e)}\n`);
  if (e instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
}
