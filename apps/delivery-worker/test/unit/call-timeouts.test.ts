import { callTimeouts } from '../../src/http/webhook-call.js';
import { aWebhook } from './support/jobs.js';

// The Jive seed's tuning table: "jive.webhooks.timeout.connection.default Default timeout (in seconds) to use for
// establishing a connection. 15", "jive.webhooks.timeout.read.default ... 5", and the same values as ".max".
describe('time limits of a call (issue 17.3)', () => {
  const deployment = { connectTimeoutMs: 15_000, readTimeoutMs: 5_000 };

  it.each(['content', 'system'] as const)("a %s webhook gets the seed's 15 s connect and 5 s read timeouts, not shortened by the 10 s cap", (kind) => {
    const t = callTimeouts(aWebhook({ kind }, { kind, timeout_ms: 10_000 }), deployment);
    expect(t.connectMs).toBe(15_000);
    expect(t.readMs).toBe(5_000);
    // The exchange after the connection keeps its own limit (timeout_ms), on top of the connect limit.
    expect(t.totalMs).toBe(15_000 + 10_000);
  });

  it("a Jive webhook never gets more than the seed's maxima, whatever the deployment says", () => {
    const t = callTimeouts(aWebhook({}, { kind: 'system', timeout_ms: 10_000 }), { connectTimeoutMs: 60_000, readTimeoutMs: 30_000 });
    expect(t).toMatchObject({ connectMs: 15_000, readMs: 5_000 });
  });

  it('a lower deployment setting applies to Jive webhooks', () => {
    const t = callTimeouts(aWebhook({}, { kind: 'content', timeout_ms: 3_000 }), { connectTimeoutMs: 2_000, readTimeoutMs: 1_000 });
    expect(t).toEqual({ connectMs: 2_000, readMs: 1_000, totalMs: 5_000 });
  });

  it("a notification webhook keeps the notification seed's 10 s for a 2xx, connection included, and no read limit", () => {
    const t = callTimeouts(aWebhook({}, { kind: 'notification', timeout_ms: 10_000 }), deployment);
    expect(t).toEqual({ totalMs: 10_000, connectMs: 10_000 });
  });
});
