import { startReceiver, type Receiver } from '@hookstream/test-kit';
import { ReceiptTally } from '../src/receipt-tally.js';

describe('ReceiptTally', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  const deliver = (path: string, webhookId: string, eventId: string) =>
    fetch(`${receiver.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': webhookId },
      body: JSON.stringify({ event_id: eventId }),
    });

  it('keeps the first receipt per event and the duplicates, and empties the receiver log', async () => {
    receiver.behave('/failing', { status: 500 });
    await deliver('/steady', 'w1', 'e1');
    await deliver('/steady', 'w1', 'e1'); // a redelivery
    await deliver('/steady', 'w2', 'e2');
    await deliver('/failing', 'w3', 'e3');
    await deliver('/other', 'w4', 'e4');
    const tally = new ReceiptTally(receiver, '/steady');
    tally.collect();
    expect([...tally.firstReceipt.keys()].sort()).toEqual(['e1', 'e2']);
    expect(tally.duplicated).toBe(1);
    expect(receiver.requests).toHaveLength(0);

    await deliver('/steady', 'w2', 'e2');
    tally.collect();
    expect(tally.duplicated).toBe(2);
    expect(tally.receivedOf(['e1', 'e2', 'e3'])).toBe(2);
  });

  it('drains until every expected event arrived', async () => {
    const tally = new ReceiptTally(receiver, '/steady');
    const expected = new Map([
      ['e1', 0],
      ['e2', 0],
    ]);
    const draining = tally.drain(expected, 30_000);
    await deliver('/steady', 'w1', 'e1');
    await deliver('/steady', 'w2', 'e2');
    await draining;
    expect(tally.receivedOf(expected.keys())).toBe(2);
  });

  it('stops draining when nothing arrives any more, leaving the missing ones missing', async () => {
    const tally = new ReceiptTally(receiver, '/steady');
    await deliver('/steady', 'w1', 'e1');
    await tally.drain(
      new Map([
        ['e1', 0],
        ['lost', 0],
      ]),
      30_000,
      200,
    );
    expect(tally.receivedOf(['e1', 'lost'])).toBe(1);
  });
});
