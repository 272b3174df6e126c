import { createDeliveryJob, decodeDeliveryJobRecord, encodeDeliveryJobRecord, type DeliveryJob } from '@hookstream/schemas';
import type { WebhookRecord } from '@hookstream/store';
import { callBody } from '../../src/http/webhook-call.js';

const IDS = { tenant_id: '6f9619ff-8b86-4011-b42d-00c04fc964ff', webhook_id: '0b2a7e5e-0f5c-4b8e-9d7e-3f3c2f3a1b11', event_type: 'replied-message' };
const webhookWith = (batchSize: number) => ({ spec: { batch_size: batchSize } }) as unknown as WebhookRecord;

/** A job as the worker gets it: decoded from a record whose value another producer indented. */
function decoded(n: number): DeliveryJob {
  const job = createDeliveryJob({ ...IDS, event_id: `evt-${n}`, body: { n, text: 'é "q"' } });
  const record = encodeDeliveryJobRecord(job);
  const result = decodeDeliveryJobRecord({ value: Buffer.from(JSON.stringify(job, null, 1)), headers: record.headers });
  if (!result.ok) throw new Error('not decoded');
  return result.record;
}

describe('the body of a call', () => {
  it("is the body's text as the job record carried it, byte for byte", () => {
    const job = decoded(1);
    expect(callBody(webhookWith(1), [job])).toBe('{\n  "n": 1,\n  "text": "é \\"q\\""\n }');
  });

  it("is, for a batching webhook, an array of the jobs' texts, even of one job", () => {
    const [a, b] = [decoded(1), decoded(2)];
    const body = callBody(webhookWith(100), [a, b]);
    expect(body.startsWith('[{\n  "n": 1')).toBe(true);
    expect(JSON.parse(body)).toEqual([a.body, b.body]);
    expect(JSON.parse(callBody(webhookWith(100), [a]))).toEqual([a.body]);
  });

  it('is serialised from the body for a job whose body did not come from a record (a transform)', () => {
    const job = decoded(3);
    const transformed = { ...job, body: { ...job.body, extra: true } };
    expect(callBody(webhookWith(1), [transformed])).toBe(JSON.stringify(transformed.body));
    expect(callBody(webhookWith(100), [job, transformed])).toBe(`[${callBody(webhookWith(1), [job])},${JSON.stringify(transformed.body)}]`);
  });
});
