#!/usr/bin/env node
// Digest of everything the matcher's pure step makes (planMessages: job records with their keys
// and headers, event-index rows, skipped rows, invalid-event records, counts) over a fixed workload,
// so two checkouts can be compared byte for byte: a change to the hot path must not move it.
//   npm run build && node bench/dist/matcher/plan-digest.js [--events=6000] [--dump=FILE]
// The workload is the match bench's (100 tenants x 1,000 webhooks) with fixed event ids and times,
// and some webhooks buggy, FIFO, with a revision or a payload filter; some events with a subject,
// without a time, with their own event_id, with escaped text, traced, or not marked as validated.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { encodeEventRecord } from '@hookstream/schemas';
import { planMessages, type InputMessage } from '@hookstream/matcher/dist/jobs/plan.js';
import { SubscriptionIndex } from '@hookstream/matcher/dist/matching/subscription-index.js';
import { DEFAULT_SHAPE, sampleEvents, webhookRecords } from './workload.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const count = Number(args.get('events') ?? 6000);
const dump = args.get('dump');

const index = new SubscriptionIndex('https://hookstream.example');
webhookRecords(DEFAULT_SHAPE).forEach((r, i) => {
  if (i % 97 === 0) r.buggy = true;
  if (i % 89 === 0) r.spec = { ...r.spec, ordering: 'fifo' };
  if (i % 13 === 0) r.revision = i % 200;
  if (i % 101 === 0) r.spec = { ...r.spec, filter: { data: { channels: 'email' } } };
  index.upsert(r);
});

const events = sampleEvents(count, DEFAULT_SHAPE, 11);
const messages: InputMessage[] = events.map((e, i) => {
  e.id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
  if (e.time !== undefined) e.time = new Date(1765000000000 + i * 1000).toISOString();
  if (i % 7 === 0) e.subject = `subj-${i}`;
  if (i % 11 === 0) delete e.time;
  if (i % 17 === 0) e.data.event_id = `given-${i}`;
  if (i % 19 === 0) e.data.note = 'é "q" \\ \u0001';
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const record = encodeEventRecord(e, { validated: i % 5 !== 0, webhooksSeq: 1, ...(i % 3 === 0 ? { trace: { traceparent } } : {}) });
  const headers = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]));
  return { offset: String(i), value: Buffer.from(record.value), headers, ...(i % 4 === 0 ? {} : { timestamp: String(1700000000000 + i) }) };
});
messages.push({ offset: String(count), value: Buffer.from('not json'), headers: {} });

const now = new Date('2026-12-06T07:00:00.123Z');
const hash = createHash('sha256');
const lines: string[] = [];
const add = (line: string) => {
  hash.update(line + '\n');
  if (dump) lines.push(line);
};
const totals = { jobs: 0, event_rows: 0, skipped: 0, invalid: 0 };
for (let i = 0; i < messages.length; i += 500) {
  const plan = planMessages(messages.slice(i, i + 500), { topic: 'events', partition: 0 }, index, now);
  for (const j of plan.jobs) add(JSON.stringify([j.key, j.value, j.headers]));
  for (const r of plan.eventRows) add(JSON.stringify(r));
  for (const r of plan.skipped) add(JSON.stringify(r));
  for (const r of plan.invalid) add(JSON.stringify([r.key, r.value, r.headers]));
  add(JSON.stringify(plan.stats));
  totals.jobs += plan.jobs.length;
  totals.event_rows += plan.eventRows.length;
  totals.skipped += plan.skipped.length;
  totals.invalid += plan.invalid.length;
}
if (dump) fs.writeFileSync(dump, lines.join('\n') + '\n');
process.stdout.write(JSON.stringify({ events: messages.length, ...totals, sha256: hash.digest('hex') }) + '\n');
